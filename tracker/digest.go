package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// digestWhen is the digest's weekday and hour: the configuration's, or Monday 09:00 when
// both are left zero.
func (t *Tracker) digestWhen() (time.Weekday, int) {
	if t.cfg.DigestWeekday == time.Sunday && t.cfg.DigestHour == 0 {
		return time.Monday, 9
	}
	return t.cfg.DigestWeekday, t.cfg.DigestHour
}

// Digest builds the weekly digest as it stands at now: every open case by reference and
// initials only, its stage, deadlines and returns (with red/amber/green), what was chased
// and escalated in the seven days before now, and what is overdue. It reads in one read
// transaction that never takes the write lock, with one query per list, not per case.
func (t *Tracker) Digest(ctx context.Context, now time.Time) (*MailData, error) {
	d := &MailData{Partnership: t.cfg.Partnership, Now: now}
	var dv *DigestView
	err := t.view(ctx, func(rt *readTx) error {
		var err error
		dv, err = t.digestView(ctx, rt, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tracker: digest: %w", err)
	}
	d.Digest = dv
	return d, nil
}

// DigestPreview renders the weekly digest as TickDigest would send it at now, with the
// same data and the same templates, without sending or recording anything.
func (t *Tracker) DigestPreview(ctx context.Context, now time.Time) (Rendered, error) {
	d, err := t.Digest(ctx, now)
	if err != nil {
		return Rendered{}, err
	}
	r, err := t.render.Render(TmplDigest, d)
	if err != nil {
		return Rendered{}, fmt.Errorf("tracker: digest: render: %w", err)
	}
	return r, nil
}

func (t *Tracker) digestView(ctx context.Context, rt *readTx, now time.Time) (*DigestView, error) {
	dv := &DigestView{WeekFrom: now.AddDate(0, 0, -7), WeekTo: now}
	loc := t.cal.Location()
	nextCutoff := t.cal.AddWorkingDays(now, 1)
	// Initials and reference only: the digest carries no referral detail. Each list is
	// read with only the columns the digest uses, in case order, into one slice that
	// the cases then share.
	var cases []CaseView
	index := map[int64]int{}
	rows, err := rt.query(ctx, `SELECT id, ref, child_initials, stage, referral_received, incident_kind, looked_after, needs_completion
		FROM cases WHERE stage != ? ORDER BY id`, StageClosed)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var c CaseView
		var received sql.NullString
		if err := rows.Scan(&id, &c.Ref, &c.ChildInitials, &c.Stage, &received, &c.IncidentKind, &c.LookedAfter, &c.NeedsCompletion); err != nil {
			rows.Close()
			return nil, err
		}
		c.ReferralReceived = parseTS(received)
		index[id] = len(cases)
		cases = append(cases, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A case's deadlines are dls[dStart[i]:dStart[i+1]]; stored[k] is dls[k]'s status as
	// stored, or "" for a deadline of one agency.
	var dls []DeadlineView
	var stored []string
	dStart := make([]int, len(cases)+1)
	labels := map[string]string{}
	if rows, err = rt.query(ctx, `SELECT case_id, rule, agency, from_at, due_at, status FROM deadlines
		WHERE case_id IN (SELECT id FROM cases WHERE stage != ?) ORDER BY case_id, due_at, id`, StageClosed); err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var rule, agency, status string
		var from, due sql.NullString
		if err := rows.Scan(&id, &rule, &agency, &from, &due, &status); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		dl := DeadlineView{Rule: rule, Due: parseTS(due), From: parseTS(from), Status: status}
		if status == "pending" && now.After(dl.Due) {
			dl.Status = "missed" // as deadlineRow.scan
		}
		label, ok := labels[rule]
		if !ok {
			label = rule
			if r, ok := t.cfg.rule(rule); ok && r.Label != "" {
				label = r.Label
			}
			labels[rule] = label
		}
		if agency != "" {
			label = withAgency(rule, label, agency)
			status = ""
		}
		dl.Label = label
		dls, stored = append(dls, dl), append(stored, status)
		dStart[i+1]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var rvs []ReturnView
	rStart := make([]int, len(cases)+1)
	if rows, err = rt.query(ctx, `SELECT case_id, agency, due_at, received_at, status, chasers_sent FROM returns
		WHERE case_id IN (SELECT id FROM cases WHERE stage != ?) ORDER BY case_id, id`, StageClosed); err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var r Return
		var due, rec sql.NullString
		if err := rows.Scan(&id, &r.Agency, &due, &rec, &r.Status, &r.ChasersSent); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		r.Due, r.ReceivedAt = parseTS(due), parseTS(rec)
		if r.Status == "awaiting" && now.After(r.Due) {
			r.Status = "overdue" // as returnRow.scan
		}
		rv := ReturnView{Agency: r.Agency, Status: r.Status, Due: r.Due, ReceivedAt: r.ReceivedAt, ChasersSent: r.ChasersSent, RAG: r.ragBy(nextCutoff)}
		if rv.Status == "waived" {
			rv.RAG = "green"
		}
		rvs = append(rvs, rv)
		rStart[i+1]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range cases {
		dStart[i+1] += dStart[i]
		rStart[i+1] += rStart[i]
	}
	dv.Cases = cases
	for i := range cases {
		c := &cases[i]
		if lo, hi := dStart[i], dStart[i+1]; hi > lo {
			c.Deadlines = dls[lo:hi:hi]
		}
		if lo, hi := rStart[i], rStart[i+1]; hi > lo {
			c.Returns = rvs[lo:hi:hi]
		}
		for _, rv := range c.Returns {
			if rv.Status == "overdue" || rv.Status == "escalated" {
				dv.Overdue = append(dv.Overdue, fmt.Sprintf("%s: %s, scoping return due %s", c.Ref, rv.Agency, rv.Due.In(loc).Format("2006-01-02")))
			}
		}
		for _, dl := range c.Deadlines {
			if dl.Rule == "scoping_return" {
				continue // shown with the returns
			}
			// Missed, and the case-wide deadline of that rule still pending as stored: not
			// met, waived or recorded as missed.
			if dl.Status == "missed" && !dl.Due.IsZero() && storedStatus(dls[dStart[i]:dStart[i+1]], stored[dStart[i]:dStart[i+1]], dl.Rule) == "pending" {
				dv.Overdue = append(dv.Overdue, fmt.Sprintf("%s: %s, due %s", c.Ref, dl.Label, dl.Due.In(loc).Format("2006-01-02")))
			}
		}
	}
	arows, err := rt.query(ctx, `SELECT c.ref, a.at, a.event, a.detail FROM audit a JOIN cases c ON c.id = a.case_id
		WHERE a.event IN ('reminder_sent', 'chaser_sent', 'escalated', 'statutory_reminder') AND a.at >= ? AND a.at <= ? ORDER BY a.id`,
		ts(dv.WeekFrom), ts(now))
	if err != nil {
		return nil, err
	}
	defer arows.Close()
	for arows.Next() {
		var ref, at, event, detail string
		if err := arows.Scan(&ref, &at, &event, &detail); err != nil {
			return nil, err
		}
		when, _ := time.Parse(time.RFC3339, at)
		line := digestLine(ref, event, detail, when.In(loc).Format("2006-01-02"))
		if event == "escalated" {
			dv.Escalated = append(dv.Escalated, line)
		} else {
			dv.Chased = append(dv.Chased, line)
		}
	}
	if err := arows.Err(); err != nil {
		return nil, err
	}
	arows.Close()
	if dv.LocalReviews, err = digestLearning(ctx, rt, loc); err != nil {
		return nil, err
	}
	return dv, t.digestTriage(ctx, rt, dv, now)
}

// digestTriage counts the week's messages csprbot did not act on by itself, so that none
// is left where no person looks: the triage line of the digest.
func (t *Tracker) digestTriage(ctx context.Context, rt *readTx, dv *DigestView, now time.Time) error {
	rows, err := rt.query(ctx, `SELECT disposition, count(*) FROM messages WHERE created_at >= ? AND created_at <= ?
		AND disposition IN (?, ?, ?, ?, ?) GROUP BY disposition`, ts(dv.WeekFrom), ts(now),
		DispTriage, DispForPerson, DispFailed, DispQuarantine, DispAuto)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := map[string]int{}
	for rows.Next() {
		var d string
		var c int
		if err := rows.Scan(&d, &c); err != nil {
			return err
		}
		n[d] = c
	}
	for _, l := range []struct {
		disp, one, many string
	}{
		{DispTriage, "message tied to no case, for triage", "messages tied to no case, for triage"},
		{DispForPerson, "message on a case recorded for a person to read", "messages on cases recorded for a person to read"},
		{DispQuarantine, "message set aside unread (it stopped csprbot reading it)", "messages set aside unread (they stopped csprbot reading them)"},
		{DispFailed, "message recorded but not processed (an error)", "messages recorded but not processed (an error)"},
		{DispAuto, "automatic message recorded and not answered", "automatic messages recorded and not answered"},
	} {
		switch c := n[l.disp]; {
		case c == 1:
			dv.Triage = append(dv.Triage, "1 "+l.one)
		case c > 1:
			dv.Triage = append(dv.Triage, fmt.Sprintf("%d %s", c, l.many))
		}
	}
	return rows.Err()
}

// storedStatus is the stored status of the case-wide deadline of rule among a case's
// deadlines (stored "" for those of one agency), or "" when there is none.
func storedStatus(dls []DeadlineView, stored []string, rule string) string {
	for k, dl := range dls {
		if dl.Rule == rule && stored[k] != "" {
			return stored[k]
		}
	}
	return ""
}

// TickDigest sends the weekly digest to [addresses] subgroup at the configured weekday
// and hour (London), once a week. It reports whether it sent one.
func (t *Tracker) TickDigest(ctx context.Context) (bool, error) {
	to := t.cfg.Addresses.Subgroup
	if to == "" {
		return false, nil
	}
	now := t.Now()
	day, hour := t.digestWhen()
	// The digest belongs to the week's configured day; when that day is a bank holiday
	// it goes on the first working day after, once.
	local := now.In(t.cal.Location())
	anchor := t.cal.Day(now).AddDate(0, 0, -((int(local.Weekday()) - int(day) + 7) % 7))
	sendDay := anchor
	for !t.cal.IsWorkingDay(sendDay) {
		sendDay = sendDay.AddDate(0, 0, 1)
	}
	today := t.londonDay(now)
	if today != t.londonDay(sendDay) || now.Before(t.cal.At(now, hour, 0)) {
		return false, nil
	}
	week := t.londonDay(anchor)
	var exists int
	if err := t.db.QueryRowContext(ctx, `SELECT count(*) FROM digests WHERE week = ?`, week).Scan(&exists); err != nil {
		return false, fmt.Errorf("tracker: digest: %w", err)
	}
	if exists > 0 {
		return false, nil
	}
	d, err := t.Digest(ctx, now)
	if err != nil {
		return false, err
	}
	sent := false
	err = t.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO digests(week, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, week, ts(now))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil // another pass sent it
		}
		if _, err := t.enqueue(ctx, tx, now, outMsg{tmpl: TmplDigest, to: []string{to}, data: d}); err != nil {
			return err
		}
		sent = true
		return audit(ctx, tx, now, 0, "csprbot", "digest_sent", fmt.Sprintf("weekly digest (%d open cases) to %s", len(d.Digest.Cases), to))
	})
	if err != nil {
		return false, fmt.Errorf("tracker: digest: %w", err)
	}
	return sent, nil
}

// digestLine words an audit entry for the digest: "LSCP-2026-001: chaser 1 to
// Metropolitan Police Service (2026-12-16)".
func digestLine(ref, event, detail, day string) string {
	agency, rest, ok := strings.Cut(detail, ": ")
	if !ok {
		return fmt.Sprintf("%s: %s (%s)", ref, detail, day)
	}
	switch event {
	case "reminder_sent":
		return fmt.Sprintf("%s: reminder to %s (%s)", ref, agency, day)
	case "chaser_sent":
		what, _, _ := strings.Cut(rest, " (")
		return fmt.Sprintf("%s: %s to %s (%s)", ref, what, agency, day)
	}
	return fmt.Sprintf("%s: %s (%s)", ref, detail, day)
}
