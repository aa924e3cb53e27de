package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TickResult counts what one scheduler pass queued.
type TickResult struct {
	Reminders, Chasers, Escalations int
}

// Tick acts on every due deadline: a reminder the working day before a return is due (the
// last working day before it, when it is due on a weekend or bank holiday), a chaser once
// it is overdue, a second chaser copied to the agency's strategic lead, then escalation to
// the Learning from Practice subgroup. Automatic mail goes only at the chase hour or later
// on a working day, never twice to one address about one case on one day, and never to an
// agency whose return is in or whose deadline was waived, nor once the Rapid Review meeting
// has been held (scoping is then over). Each action is its own transaction, so a restart or
// a second run at the same moment sends nothing again. First, any day and hour, a closed
// case still waiting for something is settled (settle.go): nothing about it is chased
// again. A case that cannot be settled is reported, and the chasing of the others goes on.
func (t *Tracker) Tick(ctx context.Context) (TickResult, error) {
	now := t.Now()
	_, settleErr := t.settleClosedCases(ctx, now)
	if settleErr != nil {
		settleErr = fmt.Errorf("tracker: tick: %w", settleErr)
	}
	res, err := t.chase(ctx, now)
	return res, errors.Join(settleErr, err)
}

// chase is Tick's reminders, chasers and escalations at now.
func (t *Tracker) chase(ctx context.Context, now time.Time) (TickResult, error) {
	var res TickResult
	if !t.cal.IsWorkingDay(now) || now.Before(t.cal.At(now, t.cfg.ChaseHour, 0)) {
		return res, nil
	}
	type item struct {
		retID, caseID int64
		ref, agency   string
		email         string
		due           time.Time
		chasers       int
		status        string
		kind          string
	}
	rows, err := t.db.QueryContext(ctx, `SELECT r.id, c.id, c.ref, r.agency, r.email, r.due_at, r.chasers_sent, r.status, r.kind
		FROM returns r JOIN cases c ON c.id = r.case_id
		LEFT JOIN deadlines d ON d.case_id = r.case_id AND d.rule = 'scoping_return' AND d.agency = r.agency
		WHERE r.status = 'awaiting' AND (r.kind = 'scoping' AND c.stage IN (?, ?, ?) AND coalesce(d.status, 'pending') != 'waived'
			AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.case_id = c.id AND m.status = 'set' AND m.at <= ?)
			OR r.kind != 'scoping' AND c.stage IN (?, ?))
		ORDER BY r.id`, StageReferral, StageScoping, StageRapidReview, ts(now), StageLCSPR, StageAlternative)
	if err != nil {
		return res, fmt.Errorf("tracker: tick: %w", err)
	}
	var items []item
	for rows.Next() {
		var it item
		var due string
		if err := rows.Scan(&it.retID, &it.caseID, &it.ref, &it.agency, &it.email, &due, &it.chasers, &it.status, &it.kind); err != nil {
			rows.Close()
			return res, err
		}
		it.due, _ = time.Parse(time.RFC3339, due)
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	escalate := map[int64][]int64{}
	var escOrder []int64
	for _, it := range items {
		if _, seen := escalate[it.caseID]; !seen {
			escOrder = append(escOrder, it.caseID)
		}
		err := t.tx(ctx, func(tx *sql.Tx) error {
			// Re-read inside the transaction: another pass may have acted already.
			var status string
			var chasers int
			var due string
			if err := tx.QueryRowContext(ctx, `SELECT status, chasers_sent, due_at FROM returns WHERE id = ?`, it.retID).Scan(&status, &chasers, &due); err != nil {
				return err
			}
			dueT, _ := time.Parse(time.RFC3339, due)
			if status != "awaiting" {
				return nil
			}
			day := t.londonDay(now)
			reminderDays, maxChasers := t.chasingFor(it.kind) // per kind of return (lcspr_maildata.go)
			switch {
			case now.Before(dueT):
				// Reminder: on the working day reminderDays before the due day, counted back
				// from the due day itself: a return due on a weekend or bank holiday (as a
				// Terms of Reference may set) is reminded on the last working day before it
				// (no working day has a holiday as its next working day).
				if reminderDays <= 0 || day != t.londonDay(t.cal.AddWorkingDays(dueT, -reminderDays)) {
					return nil
				}
				var n int
				// One reminder for each due date (an extension sets a new one).
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE case_id = ? AND agency = ? AND kind = ?
					AND created_at >= (SELECT coalesce(due_set_at, requested_at) FROM returns WHERE id = ?)`, it.caseID, it.agency, TmplReminder, it.retID).Scan(&n); err != nil || n > 0 {
					return err
				}
				if ok, err := claimDay(ctx, tx, it.caseID, it.email, day, TmplReminder); err != nil || !ok {
					return err
				}
				if err := t.agencyMail(ctx, tx, now, it.retID, it.caseID, it.agency, it.email, nil, TmplReminder, dueT, 0); err != nil {
					return err
				}
				res.Reminders++
				return audit(ctx, tx, now, it.caseID, "csprbot", "reminder_sent", it.agency+": return due "+ts(dueT))
			case chasers < maxChasers:
				n := chasers + 1
				var cc []string
				if n == maxChasers && n > 1 {
					if ag, ok := t.cfg.agencyByName(it.agency); ok && ag.StrategicLead != "" {
						cc = append(cc, ag.StrategicLead)
					}
				}
				if ok, err := claimDay(ctx, tx, it.caseID, it.email, day, TmplChaser); err != nil || !ok {
					return err
				}
				if err := t.agencyMail(ctx, tx, now, it.retID, it.caseID, it.agency, it.email, cc, TmplChaser, dueT, n); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE returns SET chasers_sent = ? WHERE id = ?`, n, it.retID); err != nil {
					return err
				}
				res.Chasers++
				return audit(ctx, tx, now, it.caseID, "csprbot", "chaser_sent", fmt.Sprintf("%s: chaser %d (return was due %s)", it.agency, n, ts(dueT)))
			default:
				// Escalated below, one message per case, on a day after the last chaser.
				var chasedToday int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM auto_sent WHERE case_id = ? AND address = ? AND day = ?`,
					it.caseID, normAddr(it.email), day).Scan(&chasedToday); err != nil {
					return err
				}
				if chasedToday == 0 {
					escalate[it.caseID] = append(escalate[it.caseID], it.retID)
				}
				return nil
			}
		})
		if err != nil {
			return res, fmt.Errorf("tracker: tick %s %s: %w", it.ref, it.agency, err)
		}
	}
	for _, caseID := range escOrder {
		if len(escalate[caseID]) == 0 {
			continue
		}
		n, err := t.escalate(ctx, now, caseID, escalate[caseID])
		if err != nil {
			return res, fmt.Errorf("tracker: tick escalate: %w", err)
		}
		res.Escalations += n
	}
	return res, nil
}

// escalate tells the Learning from Practice subgroup, in one message for the case, of
// every return still missing after the chasers, and marks those returns escalated.
func (t *Tracker) escalate(ctx context.Context, now time.Time, caseID int64, retIDs []int64) (int, error) {
	to := t.cfg.Addresses.Subgroup
	if to == "" {
		return 0, nil
	}
	n := 0
	err := t.tx(ctx, func(tx *sql.Tx) error {
		n = 0
		var lines, agencies []string
		returnWhat := "the scoping form"
		for _, id := range retIDs {
			var agency, status, due, kind string
			var chasers int
			if err := tx.QueryRowContext(ctx, `SELECT agency, status, due_at, chasers_sent, kind FROM returns WHERE id = ?`, id).Scan(&agency, &status, &due, &chasers, &kind); err != nil {
				return err
			}
			if status != "awaiting" {
				continue
			}
			dueT, _ := time.Parse(time.RFC3339, due)
			agencies = append(agencies, agency)
			if kind != "" && kind != ReturnScoping {
				returnWhat = "what was asked"
			}
			lines = append(lines, fmt.Sprintf("%s: %s due %s, %d chasers sent", agency, returnWords(kind), dueT.In(t.cal.Location()).Format("15:04 Mon 2 Jan 2006"), chasers))
		}
		if len(agencies) == 0 {
			return nil
		}
		if ok, err := claimDay(ctx, tx, caseID, to, t.londonDay(now), TmplEscalation); err != nil || !ok {
			return err
		}
		c, err := t.caseView(ctx, tx, caseID, now)
		if err != nil {
			return err
		}
		reason := fmt.Sprintf("%s not returned "+returnWhat+" after two chasers.", strings.Join(agencies, ", ")+map[bool]string{true: " has", false: " have"}[len(agencies) == 1])
		tmpl := TmplEscalation
		if returnWhat != "the scoping form" {
			tmpl = TmplLCSPREscalate // the local review's documents (lcspr_maildata.go)
		}
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: tmpl, to: []string{to},
			data: &MailData{Case: c, Agency: t.agencyView(ctx, tx, caseID, agencies[0]), Chaser: 2, Reason: reason, Lines: lines}}); err != nil {
			return err
		}
		for _, id := range retIDs {
			if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'escalated' WHERE id = ? AND status = 'awaiting'`, id); err != nil {
				return err
			}
		}
		n = len(agencies)
		return audit(ctx, tx, now, caseID, "csprbot", "escalated", "escalated to the Learning from Practice subgroup: "+strings.Join(agencies, ", "))
	})
	return n, err
}

// claimDay records that an automatic message goes to addr about a case today; false if
// one already has.
func claimDay(ctx context.Context, tx *sql.Tx, caseID int64, addr, day, kind string) (bool, error) {
	r, err := tx.ExecContext(ctx, `INSERT INTO auto_sent(case_id, address, day, kind) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		caseID, normAddr(addr), day, kind)
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// agencyMail queues a reminder or chaser to an agency, threaded under our request.
func (t *Tracker) agencyMail(ctx context.Context, tx *sql.Tx, now time.Time, retID, caseID int64, agency, email string, cc []string, tmpl string, due time.Time, n int) error {
	var reqID, kind, item, what string
	_ = tx.QueryRowContext(ctx, `SELECT request_msgid, kind, item, what FROM returns WHERE id = ?`, retID).Scan(&reqID, &kind, &item, &what)
	var lv *LCSPRView
	if kind != "" && kind != ReturnScoping {
		// A chronology, agency report or action evidence: the local review's own letter,
		// as a reminder (n = 0) or the nth chaser.
		lv = &LCSPRView{Kind: kind, KindLabel: ReturnKindLabel(kind), Item: item, More: what}
		tmpl = TmplLCSPRRequest
	}
	c, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return err
	}
	var refs []string
	if reqID != "" {
		refs = []string{reqID}
	}
	_, err = t.enqueue(ctx, tx, now, outMsg{caseID: caseID, agency: agency, tmpl: tmpl, to: []string{email}, cc: cc,
		inReplyTo: reqID, references: refs,
		data: &MailData{Case: c, Agency: t.agencyView(ctx, tx, caseID, agency), Due: due, Chaser: n, LCSPR: lv, Reason: map[bool]string{true: "reminder"}[tmpl == TmplLCSPRRequest && n == 0],
			Form: FormView{CaseRef: c.Ref, ChildInitials: c.ChildInitials, ReturnBy: due, AgencyName: agency}}})
	return err
}
