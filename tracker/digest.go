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
// and escalated in the seven days before now, and what is overdue.
func (t *Tracker) Digest(ctx context.Context, now time.Time) (*MailData, error) {
	d := &MailData{Partnership: t.cfg.Partnership, Now: now}
	dv := &DigestView{WeekFrom: now.AddDate(0, 0, -7), WeekTo: now}
	loc := t.cal.Location()
	err := t.tx(ctx, func(tx *sql.Tx) error {
		*dv = DigestView{WeekFrom: now.AddDate(0, 0, -7), WeekTo: now}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM cases WHERE stage != ? ORDER BY id`, StageClosed)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			c, err := t.caseView(ctx, tx, id, now)
			if err != nil {
				return err
			}
			// Initials and reference only: the digest carries no referral detail.
			dc := CaseView{Ref: c.Ref, ChildInitials: c.ChildInitials, Stage: c.Stage, ReferralReceived: c.ReferralReceived,
				IncidentKind: c.IncidentKind, LookedAfter: c.LookedAfter, Deadlines: c.Deadlines, NeedsCompletion: c.NeedsCompletion}
			for _, r := range c.Returns {
				if r.Status == "waived" {
					r.RAG = "green"
				}
				dc.Returns = append(dc.Returns, r)
				if r.Status == "overdue" || r.Status == "escalated" {
					dv.Overdue = append(dv.Overdue, fmt.Sprintf("%s: %s, scoping return due %s", c.Ref, r.Agency, r.Due.In(loc).Format("2006-01-02")))
				}
			}
			for _, dl := range c.Deadlines {
				if dl.Rule == "scoping_return" {
					continue // shown with the returns
				}
				if dl.Status == "missed" && !dl.Due.IsZero() {
					var stored string
					_ = tx.QueryRowContext(ctx, `SELECT status FROM deadlines WHERE case_id = ? AND rule = ? AND agency = ''`, id, dl.Rule).Scan(&stored)
					if stored == "pending" {
						dv.Overdue = append(dv.Overdue, fmt.Sprintf("%s: %s, due %s", c.Ref, dl.Label, dl.Due.In(loc).Format("2006-01-02")))
					}
				}
			}
			dv.Cases = append(dv.Cases, dc)
		}
		arows, err := tx.QueryContext(ctx, `SELECT c.ref, a.at, a.event, a.detail FROM audit a JOIN cases c ON c.id = a.case_id
			WHERE a.event IN ('reminder_sent', 'chaser_sent', 'escalated', 'statutory_reminder') AND a.at >= ? AND a.at <= ? ORDER BY a.id`,
			ts(dv.WeekFrom), ts(now))
		if err != nil {
			return err
		}
		defer arows.Close()
		for arows.Next() {
			var ref, at, event, detail string
			if err := arows.Scan(&ref, &at, &event, &detail); err != nil {
				return err
			}
			when, _ := time.Parse(time.RFC3339, at)
			line := digestLine(ref, event, detail, when.In(loc).Format("2006-01-02"))
			if event == "escalated" {
				dv.Escalated = append(dv.Escalated, line)
			} else {
				dv.Chased = append(dv.Chased, line)
			}
		}
		return arows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("tracker: digest: %w", err)
	}
	d.Digest = dv
	return d, nil
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
