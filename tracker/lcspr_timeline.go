package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// timeline is a case's journey from referral to action plan as lines of text, past and to
// come: each deadline in due order with its state, what is late marked LATE, and the
// decision, publication and learning event where there are any. It answers a staff
// member's Status. tx only reads: the read handle's (Timeline) or, for Status by email,
// the command's own transaction.
func (t *Tracker) timeline(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow) ([]string, error) {
	loc := t.cal.Location()
	day := func(x time.Time) string { return x.In(loc).Format("Mon 2 Jan 2006") }
	var decided, publish, published sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT decision_at, publish_on, published_at FROM cases WHERE id = ?`, c.id).Scan(&decided, &publish, &published); err != nil {
		return nil, err
	}
	out := []string{fmt.Sprintf("%s (initials %s), stage %s", c.ref, orNone(c.initials), c.stage)}
	out = append(out, "Referral received "+day(c.received))
	if d := parseTS(decided); !d.IsZero() {
		words, err := t.outcomeWords(ctx, tx, c.id)
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("Decided %s: %s", day(d), words))
	}
	if p := parseTS(published); !p.IsZero() {
		out = append(out, "Published "+day(p))
	} else if p := parseTS(publish); !p.IsZero() {
		out = append(out, "Publication set for "+day(p))
	}
	ds, err := deadlines(ctx, tx, c.id, now)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Due.Before(ds[j].Due) })
	for _, d := range ds {
		mark := map[string]string{"met": "done", "pending": "to come", "missed": "LATE", "waived": "waived"}[d.Status]
		if mark == "" {
			mark = d.Status
		}
		what := d.Rule
		if r, ok := t.cfg.rule(d.Rule); ok && r.Label != "" {
			what = r.Label
		}
		what = withAgency(d.Rule, what, d.Agency)
		l := fmt.Sprintf("[%s] %s: due %s", mark, what, day(d.Due))
		if d.MetAt != nil {
			l += ", done " + day(*d.MetAt)
		}
		if d.Note != "" && d.Status == "missed" {
			l += " (" + d.Note + ")"
		}
		out = append(out, l)
	}
	rs, err := returns(ctx, tx, c.id, now)
	if err != nil {
		return nil, err
	}
	late := 0
	for _, r := range rs {
		if r.Status == "overdue" || r.Status == "escalated" {
			late++
		}
	}
	if late > 0 {
		out = append(out, fmt.Sprintf("%d documents asked of agencies are overdue", late))
	}
	if v, err := learningView(ctx, tx, c.id); err != nil {
		return nil, err
	} else if v != nil {
		out = append(out, v.Lines(loc)...)
	}
	return out, nil
}

// Timeline is a case's journey as lines of text (csprbot case REF status; Status by email
// reads it in the command's transaction). It reads in one read transaction on the read
// handle: it never takes the write lock, so the daemon never waits for it nor it for the
// daemon.
func (t *Tracker) Timeline(ctx context.Context, ref string) ([]string, error) {
	now := t.Now()
	var out []string
	err := t.view(ctx, func(rt *readTx) error {
		c, err := loadCase(ctx, rt.Tx, "ref = ?", ref)
		if err != nil {
			return err
		}
		out, err = t.timeline(ctx, rt.Tx, now, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tracker: status %s: %w", ref, dbErr(err))
	}
	return out, nil
}
