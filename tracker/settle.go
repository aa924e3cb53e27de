package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// What stops being chased when a review moves past it. Two moments settle a case's
// open ends, each in the transaction that brings it about:
//
//   - the final report accepted (finalReport): chronologies and agency reports not in by
//     then are no longer asked for (waived, with the date), their lcspr_returns deadlines
//     with them; the timetable's steps toward the final report (rule final_report, a row
//     of the Terms of Reference) are taken as done then;
//   - the case closed, however (closeCase, settleClosed): every pending deadline is waived
//     with the reason, except the end of the time the published report stays on the
//     website, whose reminder still goes, and a deadline answered by an email to a
//     national body that is approved and not yet sent (it is met when it goes); every
//     document still asked of an agency is waived.
//
// A deadline already recorded as missed stays missed: the record is true.

// returnsOutstanding is the statuses of a return still awaited (stored; "overdue" is only
// shown).
const returnsOutstanding = `('awaiting', 'escalated')`

// noteWith appends a note to one already there, so that the earlier one is kept.
const noteWith = `CASE WHEN note = '' THEN ? ELSE note || '; ' || ? END`

// settleFinalReport stops the chasing of the chronologies and agency reports still
// awaited when the final report is accepted, and takes the timetable's steps toward the
// final report as done at now. It returns what was never received ("AGENCY: chronology,
// agency report"), in the order asked, and the steps it met.
func (t *Tracker) settleFinalReport(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, actor string) (notReceived, stepsMet []string, err error) {
	day := now.In(t.cal.Location()).Format("Mon 2 Jan 2006")
	note := "not received before the final report (" + day + ")"
	rows, err := tx.QueryContext(ctx, `SELECT id, agency, kind FROM returns WHERE case_id = ? AND kind IN ('chronology', 'agency_report')
		AND status IN `+returnsOutstanding+` ORDER BY id`, caseID)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	var order []string
	kinds := map[string][]string{}
	for rows.Next() {
		var id int64
		var agency, kind string
		if err := rows.Scan(&id, &agency, &kind); err != nil {
			rows.Close()
			return nil, nil, err
		}
		ids = append(ids, id)
		if _, ok := kinds[agency]; !ok {
			order = append(order, agency)
		}
		kinds[agency] = append(kinds[agency], strings.ReplaceAll(kind, "_", " "))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'waived', note = ? WHERE id = ?`, note, id); err != nil {
			return nil, nil, err
		}
	}
	for _, a := range order {
		notReceived = append(notReceived, a+": "+strings.Join(kinds[a], ", "))
	}
	// Every lcspr_returns deadline still pending waits for something no longer asked: each
	// agency's, and the timetable's rows ("Chronologies returned").
	// One already past its time was missed, and stays on the record as missed: waiving is
	// only for what is no longer asked before its time came.
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET status = CASE WHEN due_at < ? THEN 'missed' ELSE 'waived' END, note = `+noteWith+`
		WHERE case_id = ? AND rule = 'lcspr_returns' AND status = 'pending'`, ts(now), note, note, caseID); err != nil {
		return nil, nil, err
	}
	// The timetable's steps toward the final report ("First draft report"): the report is
	// here, so they are done.
	steps, err := tx.QueryContext(ctx, `SELECT id, agency FROM deadlines WHERE case_id = ? AND rule = 'final_report' AND agency != '' AND status = 'pending' ORDER BY due_at, id`, caseID)
	if err != nil {
		return nil, nil, err
	}
	var stepIDs []int64
	for steps.Next() {
		var id int64
		var a string
		if err := steps.Scan(&id, &a); err != nil {
			steps.Close()
			return nil, nil, err
		}
		stepIDs, stepsMet = append(stepIDs, id), append(stepsMet, a)
	}
	steps.Close()
	if err := steps.Err(); err != nil {
		return nil, nil, err
	}
	metNote := "taken as done: the final report was accepted on " + day
	for _, id := range stepIDs {
		if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET status = 'met', met_at = ?, note = `+noteWith+` WHERE id = ?`, ts(now), metNote, metNote, id); err != nil {
			return nil, nil, err
		}
	}
	if len(notReceived) > 0 {
		if err := audit(ctx, tx, now, caseID, actor, "lcspr_returns_waived", note+", no longer chased: "+strings.Join(notReceived, "; ")); err != nil {
			return nil, nil, err
		}
	}
	if len(stepsMet) > 0 {
		if err := audit(ctx, tx, now, caseID, actor, "deadline_met", "timetable steps toward the final report "+metNote+": "+strings.Join(stepsMet, "; ")); err != nil {
			return nil, nil, err
		}
	}
	return notReceived, stepsMet, nil
}

// closeCase closes a case for reason (its stage, when and why) and settles what was still
// open on it (settleClosed): the one way a case's stage becomes closed.
func (t *Tracker) closeCase(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, reason, actor string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ?, closed_at = ?, close_reason = ? WHERE id = ?`, StageClosed, ts(now), reason, caseID); err != nil {
		return err
	}
	if err := audit(ctx, tx, now, caseID, actor, "case_closed", reason); err != nil {
		return err
	}
	_, err := t.settleClosed(ctx, tx, now, caseID, reason)
	return err
}

// Settled is what settling a closed case waived.
type Settled struct {
	Deadlines []string // "rule" or "rule (agency)"
	Returns   []string // "agency: kind"
}

// settleClosed waives what a closed case still waited for, with the note "case closed:
// why": every pending deadline but the end of the time the published report stays on the
// website (nspcc_submission, KeptAgency: its reminder still goes) and those answered by an
// email to a national body approved and not yet sent (met when it goes); and
// every document still asked of an agency, of any kind. A deadline already missed stays
// missed; one overdue and never recorded says so in its note.
func (t *Tracker) settleClosed(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, why string) (Settled, error) {
	var s Settled
	note := "case closed: " + why
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.rule, d.agency, d.due_at FROM deadlines d WHERE d.case_id = ? AND `+settleableDeadline+`
		ORDER BY d.due_at, d.id`, caseID)
	if err != nil {
		return s, err
	}
	type dl struct {
		id           int64
		rule, agency string
		due          time.Time
	}
	var ds []dl
	for rows.Next() {
		var d dl
		var due string
		if err := rows.Scan(&d.id, &d.rule, &d.agency, &due); err != nil {
			rows.Close()
			return s, err
		}
		d.due, _ = time.Parse(time.RFC3339, due)
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	for _, d := range ds {
		n, status := note, "waived"
		if now.After(d.due) {
			// Past its time and never done: the case closing does not undo that it was missed.
			n += " (overdue since " + d.due.In(t.cal.Location()).Format("Mon 2 Jan 2006") + ", never recorded as done)"
			status = "missed"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET status = ?, note = `+noteWith+` WHERE id = ?`, status, n, n, d.id); err != nil {
			return s, err
		}
		what := d.rule
		if d.agency != "" {
			what += " (" + d.agency + ")"
		}
		s.Deadlines = append(s.Deadlines, what)
	}
	rets, err := tx.QueryContext(ctx, `SELECT id, agency, kind, item FROM returns WHERE case_id = ? AND status IN `+returnsOutstanding+` ORDER BY id`, caseID)
	if err != nil {
		return s, err
	}
	var ids []int64
	for rets.Next() {
		var id int64
		var agency, kind, item string
		if err := rets.Scan(&id, &agency, &kind, &item); err != nil {
			rets.Close()
			return s, err
		}
		what := agency + ": " + strings.ReplaceAll(kind, "_", " ")
		if item != "" {
			what += " " + item
		}
		ids, s.Returns = append(ids, id), append(s.Returns, what)
	}
	rets.Close()
	if err := rets.Err(); err != nil {
		return s, err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'waived', note = ? WHERE id = ?`, note, id); err != nil {
			return s, err
		}
	}
	if len(s.Deadlines) == 0 && len(s.Returns) == 0 {
		return s, nil
	}
	detail := note + ": nothing more is chased on it."
	if len(s.Deadlines) > 0 {
		detail += " Deadlines waived: " + strings.Join(s.Deadlines, "; ") + "."
	}
	if len(s.Returns) > 0 {
		detail += " Documents no longer asked: " + strings.Join(s.Returns, "; ") + "."
	}
	return s, audit(ctx, tx, now, caseID, "csprbot", "case_settled", detail)
}

// settleableDeadline is the condition on a deadline d that closing its case waives: pending, and none of these, which still happen after it:
//   - the end of the time the published report stays on the website (nspcc_submission,
//     KeptAgency), whose reminder goes a year on;
//   - one answered by an email to a national body (the Rapid Review submission, or a
//     notice whose name is the rule's) approved and not yet sent (held: an address
//     bounced, say): it is met when it goes. One still waiting for approval is waived;
//   - the NSPCC submission of a case closed with its review still to be published
//     (publishesAfterClosing: the action plan signed off) whose NSPCC copy is not prepared
//     yet: publication still comes, and the copy is prepared then (tickNSPCC); once
//     prepared, it is as above.
const settleableDeadline = `d.status = 'pending'
	AND NOT (d.rule = 'nspcc_submission' AND d.agency LIKE '` + KeptAgency + `%')
	AND NOT (d.rule = 'nspcc_submission' AND d.agency = ''
		AND EXISTS (SELECT 1 FROM cases c WHERE c.id = d.case_id AND ` + publishesAfterClosing + `)
		AND NOT EXISTS (SELECT 1 FROM national_notices f WHERE f.case_id = d.case_id AND f.what = '` + NoticeNSPCC + `' AND f.status != 'superseded'))
	AND NOT (d.rule = 'rr_submission' AND d.agency = '' AND EXISTS (SELECT 1 FROM submissions s LEFT JOIN outbox o ON o.message_id = s.outbox_msgid
		WHERE s.case_id = d.case_id AND s.status = 'approved' AND coalesce(o.status, '') != 'sent'))
	AND NOT (d.agency = '' AND EXISTS (SELECT 1 FROM national_notices n LEFT JOIN outbox o ON o.message_id = n.outbox_msgid
		WHERE n.case_id = d.case_id AND n.what = d.rule AND n.status = 'approved' AND coalesce(o.status, '') != 'sent'))`

// settleClosedCases settles every closed case that still waits for something
// (settleClosed), with its recorded reason: a case closed by a path that did not settle
// it, or before csprbot did, is settled at the scheduler's next pass. Each case is its
// own transaction; one that fails does not stop the others.
func (t *Tracker) settleClosedCases(ctx context.Context, now time.Time) (int, error) {
	// The returns still awaited through returns_status, the pending deadlines through
	// deadlines_pending (schema 90): neither reads a closed case's settled rows.
	ids, err := queryIDs(ctx, t.db, `SELECT r.case_id FROM returns r JOIN cases c ON c.id = r.case_id
			WHERE r.status IN `+returnsOutstanding+` AND c.stage = ?1
		UNION SELECT d.case_id FROM deadlines d JOIN cases c ON c.id = d.case_id
			WHERE d.status = 'pending' AND c.stage = ?1 AND `+settleableDeadline+`
		ORDER BY 1`, StageClosed)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range ids {
		err := t.tx(ctx, func(tx *sql.Tx) error {
			var stage, why string
			if err := tx.QueryRowContext(ctx, `SELECT stage, close_reason FROM cases WHERE id = ?`, id).Scan(&stage, &why); err != nil {
				return err
			}
			if stage != StageClosed {
				return nil
			}
			if why == "" {
				why = "no reason recorded"
			}
			s, err := t.settleClosed(ctx, tx, now, id, why)
			if len(s.Deadlines)+len(s.Returns) > 0 {
				n++
			}
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("settle closed case %d: %w", id, err))
		}
	}
	return n, errors.Join(errs...)
}
