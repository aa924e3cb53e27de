package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// A step of the Terms of Reference's timetable (a deadline whose note begins
// "timetable:", named by its action: lcspr_tor.go) is done when csprbot sees it done (a
// chronology returned, the learning event held, the final report accepted) or when staff
// say so: Done: STEP [on DATE] by email, csprbot case REF done STEP [--date D].

// PendingStep is a timetable step not yet done.
type PendingStep struct {
	Rule, Step string
	Due        time.Time
}

// MarkStepDone records that the timetable step named step (its action as the Terms of
// Reference word it, case-insensitively; a prefix naming one step is enough) was done on
// the London date day (zero: now). Done by its date it is met; after, missed, saying how
// late: the record is true. An unknown or ambiguous name is refused with the steps
// pending.
func (t *Tracker) MarkStepDone(ctx context.Context, ref, step string, day time.Time, actor string) (string, error) {
	return onCase(ctx, t, ref, "done", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.markStepDone(ctx, tx, now, c, step, day, actor)
	})
}

// doneCommand is Done: STEP [on YYYY-MM-DD] by email.
func (t *Tracker) doneCommand(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, arg, actor string) (string, error) {
	step, day := splitStepDate(arg, t.cal.Location())
	return t.markStepDone(ctx, tx, now, c, step, day, actor)
}

// splitStepDate reads "STEP [on DATE]": the date after the last " on ", if it reads as one
// (a step may have "on" in its name).
func splitStepDate(arg string, loc *time.Location) (string, time.Time) {
	arg = strings.TrimSpace(arg)
	if i := strings.LastIndex(strings.ToLower(arg), " on "); i >= 0 {
		if d, err := ParseLondonDate(arg[i+4:], loc); err == nil {
			return strings.TrimSpace(arg[:i]), d
		}
	}
	return arg, time.Time{}
}

func (t *Tracker) pendingSteps(ctx context.Context, tx *sql.Tx, caseID int64) ([]PendingStep, error) {
	rows, err := tx.QueryContext(ctx, `SELECT rule, agency, due_at FROM deadlines WHERE case_id = ? AND status = 'pending' AND agency != '' AND note LIKE 'timetable:%'
		ORDER BY due_at, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PendingStep
	for rows.Next() {
		var p PendingStep
		var due string
		if err := rows.Scan(&p.Rule, &p.Step, &due); err != nil {
			return nil, err
		}
		p.Due, _ = time.Parse(time.RFC3339, due)
		out = append(out, p)
	}
	return out, rows.Err()
}

// matchStep finds the one pending step named: the same name, or else the only one the
// name begins (words compared case-insensitively, spaces collapsed).
func matchStep(steps []PendingStep, name string) ([]PendingStep, bool) {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	n := norm(name)
	if n == "" {
		return nil, false
	}
	var prefix []PendingStep
	for _, s := range steps {
		switch sn := norm(s.Step); {
		case sn == n:
			return []PendingStep{s}, true
		case strings.HasPrefix(sn, n):
			prefix = append(prefix, s)
		}
	}
	return prefix, len(prefix) == 1
}

func (t *Tracker) markStepDone(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, step string, day time.Time, actor string) (string, error) {
	loc := t.cal.Location()
	if c.stage == StageClosed {
		return "", fmt.Errorf("%w: case %s is closed (%s)", ErrRefused, c.ref, c.closeReason)
	}
	steps, err := t.pendingSteps(ctx, tx, c.id)
	if err != nil {
		return "", err
	}
	if len(steps) == 0 {
		return "", fmt.Errorf("%w: no step of the Terms of Reference's timetable is waiting on %s", ErrRefused, c.ref)
	}
	list := func(ps []PendingStep) string {
		var ls []string
		for _, p := range ps {
			ls = append(ls, fmt.Sprintf("%s (due %s)", p.Step, p.Due.In(loc).Format("Mon 2 Jan 2006")))
		}
		return strings.Join(ls, "; ")
	}
	step = strings.TrimSpace(step)
	found, ok := matchStep(steps, step)
	switch {
	case step == "":
		return "", fmt.Errorf("%w: which step? Done: STEP [on YYYY-MM-DD]. Waiting: %s", ErrRefused, list(steps))
	case len(found) > 1:
		return "", fmt.Errorf("%w: %q could be any of: %s. Write more of its name", ErrRefused, step, list(found))
	case !ok:
		return "", fmt.Errorf("%w: no step %q is waiting on %s. Waiting: %s", ErrRefused, step, c.ref, list(steps))
	}
	s := found[0]
	at := now
	if !day.IsZero() {
		if t.londonDay(day) > t.londonDay(now) {
			return "", fmt.Errorf("%w: %s is in the future: say when it was done", ErrRefused, day.In(loc).Format("Mon 2 Jan 2006"))
		}
		at = t.doneOn(day, now)
	}
	if err := t.meetDeadline(ctx, tx, now, c.id, s.Rule, s.Step, at); err != nil {
		return "", err
	}
	var status, note string
	if err := tx.QueryRowContext(ctx, `SELECT status, note FROM deadlines WHERE case_id = ? AND rule = ? AND agency = ?`, c.id, s.Rule, s.Step).Scan(&status, &note); err != nil {
		return "", err
	}
	out := fmt.Sprintf("%s done on %s (due %s)", s.Step, at.In(loc).Format("Mon 2 Jan 2006"), s.Due.In(loc).Format("Mon 2 Jan 2006"))
	if status == "missed" {
		out += ": " + note
	}
	return out, audit(ctx, tx, now, c.id, actor, "step_done", out)
}
