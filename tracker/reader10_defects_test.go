//go:build reader10

package tracker

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// Issue 10, second reader: routes into the local review (process.md stages 10-16) that
// the authors' tests do not take. Each test here fails until the defect it names is
// fixed; run with: go test -tags reader10 -run Reader10 ./tracker

// A revised Terms of Reference that moves the chronologies' date later says "(was Mon 25
// Jan 2027)", and moves the timetable row; but the agencies already asked keep the old
// due date on their returns and on their lcspr_returns deadline ("already asked"), so they
// are reminded and chased for a date the partnership has moved.
func TestReader10RevisedToRLeavesAgenciesOnTheOldDate(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-01-25", true, "Met Police", "Lewisham Children's Social Care"), true, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-11T10:00:00Z")
	res, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-02-08", true, "Met Police", "Lewisham Children's Social Care"), true, "command line")
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(ToRDone(res, tr.cal.Location()), "\n")
	if !strings.Contains(said, "was Mon 25 Jan 2027") {
		t.Fatalf("the revised ToR did not say the chronologies' date moved:\n%s", said)
	}
	want := tr.cal.At(mustTime("2027-02-08T00:00:00Z"), 17, 0)
	rows, err := tr.DB().Query(`SELECT agency, due_at FROM returns WHERE kind = 'chronology' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ag, due string
		if err := rows.Scan(&ag, &due); err != nil {
			t.Fatal(err)
		}
		if d := parseTS(sql.NullString{String: due, Valid: true}); !d.Equal(want) {
			t.Errorf("%s's chronology is still due %s after the revised ToR moved it to %s (the reply said: moved)", ag, d.In(tr.cal.Location()).Format("Mon 2 Jan 2006 15:04"), want.In(tr.cal.Location()).Format("Mon 2 Jan 2006 15:04"))
		}
	}
	// And the scheduler chases them on the old date.
	clock.Set("2027-01-27T10:00:00Z")
	tick, err := tr.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tick.Chasers > 0 {
		t.Errorf("%d chasers sent on Wed 27 Jan for chronologies the revised ToR made due on Mon 8 Feb", tick.Chasers)
	}
}

// A revised Terms of Reference that drops a timetable row (the learning event) and an
// agency (Children's Social Care) says nothing about either: the dropped row's deadline
// stays pending (and will be reported missed), and the dropped agency's chronology stays
// awaited, to be reminded, chased and escalated.
func TestReader10RevisedToRDropsRowsAndAgenciesSilently(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-01-25", true, "Met Police", "Lewisham Children's Social Care"), true, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-11T10:00:00Z")
	res, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-01-25", false, "Met Police"), true, "command line")
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(ToRDone(res, tr.cal.Location()), "\n")
	var st string
	if err := tr.DB().QueryRow(`SELECT status FROM deadlines WHERE rule = 'learning_event' AND agency = 'Practitioner learning event'`).Scan(&st); err != nil {
		t.Fatal(err)
	}
	if st == "pending" && !strings.Contains(said, "Practitioner learning event") {
		t.Errorf("the revised ToR dropped the learning event row; its deadline is still %s and the reply does not mention it:\n%s", st, said)
	}
	var rs string
	if err := tr.DB().QueryRow(`SELECT status FROM returns WHERE kind = 'chronology' AND agency = 'Lewisham Children''s Social Care'`).Scan(&rs); err != nil {
		t.Fatal(err)
	}
	if rs == "awaiting" && !strings.Contains(said, "Social Care") {
		t.Errorf("the revised ToR no longer names Children's Social Care; its chronology is still %s (to be chased) and the reply does not mention it:\n%s", rs, said)
	}
}
