package tracker

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func importRows() []ImportCase {
	return []ImportCase{
		{Line: 2, Ref: "LSCP-2026-040", ChildInitials: "ab", Referral: mustTime("2026-11-16T10:00:00Z"),
			ScopingSent: mustTime("2026-11-18T10:00:00Z"), Stage: StageScoping, PanelNotified: mustTime("2026-11-19T12:00:00Z"),
			Agencies: []ImportAgency{
				{Name: "Met Police", Status: "asked"}, // overdue: to be chased
				{Name: "Lewisham Children's Social Care", Status: "returned", Returned: mustTime("2026-11-24T12:00:00Z")},
				{Name: "NHS South East London ICB", Status: "nil", Returned: mustTime("2026-11-25T12:00:00Z")},
				{Name: "Lewisham and Greenwich NHS Trust", Status: "waived"},
			}},
		{Line: 3, Ref: "LSCP-2026-041", ChildInitials: "C.D.", Referral: mustTime("2026-11-27T10:00:00Z")},
	}
}

func TestImportCases(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-11-30T08:00:00Z") // Monday
	tr := newTestTracker(t, clock)
	outboxCount := func() int {
		var n int
		tr.DB().QueryRow(`SELECT count(*) FROM outbox`).Scan(&n)
		return n
	}

	// A dry run reports and writes nothing.
	got, err := tr.Import(ctx, importRows(), "cases.csv", true)
	if err != nil || len(got) != 2 {
		t.Fatalf("dry run = %+v, %v", got, err)
	}
	if d, err := tr.Case(ctx, "LSCP-2026-040"); err == nil {
		t.Fatalf("a dry run created %s: %+v", d.Ref, d)
	}
	if !strings.Contains(strings.Join(got[0].Outstanding, "|"), "Metropolitan Police Service's scoping return, overdue since") {
		t.Errorf("dry run outstanding = %q", got[0].Outstanding)
	}

	if _, err := tr.Import(ctx, importRows(), "cases.csv", false); err != nil {
		t.Fatal(err)
	}
	if n := outboxCount(); n != 0 {
		t.Errorf("importing queued %d emails; nothing already done is sent again", n)
	}
	d, err := tr.Case(ctx, "LSCP-2026-040")
	if err != nil {
		t.Fatal(err)
	}
	if d.Stage != StageScoping || d.ChildInitials != "AB" {
		t.Errorf("case = stage %s initials %s", d.Stage, d.ChildInitials)
	}
	if d2, err := tr.Case(ctx, "LSCP-2026-041"); err != nil {
		t.Error(err)
	} else if d2.ChildInitials != "CD" {
		t.Errorf("initials written C.D. = %q, want CD", d2.ChildInitials)
	}
	status := map[string]string{}
	for _, r := range d.Returns {
		status[r.Agency] = r.Status
	}
	want := map[string]string{"Metropolitan Police Service": "overdue", "Lewisham Children's Social Care": "received",
		"NHS South East London ICB": "nil_return", "Lewisham and Greenwich NHS Trust": "waived"}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("return %s = %q, want %q (all %v)", k, status[k], v, status)
		}
	}
	for _, dl := range d.Deadlines {
		if dl.Rule == "panel_notification" && dl.Status != "met" {
			t.Errorf("panel_notification = %s, want met (already notified)", dl.Status)
		}
	}

	// The scheduler chases the outstanding return, and only that, at the chase hour.
	clock.Set("2026-11-30T09:30:00Z")
	if _, err := tr.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := tr.DB().Query(`SELECT kind, recipients FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for rows.Next() {
		var k, r string
		rows.Scan(&k, &r)
		sent = append(sent, k+" to "+r)
	}
	rows.Close()
	if len(sent) == 0 || !strings.Contains(strings.Join(sent, "|"), "lead@met.example") {
		t.Errorf("after import the scheduler queued %v, want a chaser to the police", sent)
	}
	for _, s := range sent {
		if strings.Contains(s, "csc@lewisham.gov.uk") || strings.Contains(s, "icb@icb.example") || strings.Contains(s, "safeguarding@lgt.example") {
			t.Errorf("an agency whose return is in (or waived) was written to: %s", s)
		}
	}
	// A new referral continues the numbering after the imported ones.
	if _, err := tr.Ingest(ctx, referralIncoming("new@example.org", 1, "2026-11-30T09:40:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Case(ctx, "LSCP-2026-042"); err != nil {
		t.Errorf("the next referral is not LSCP-2026-042: %v", err)
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-11-30T08:00:00Z")
	tr := newTestTracker(t, clock)
	rows := importRows()
	rows = append(rows,
		ImportCase{Line: 4, Ref: "XYZ-2026-001", Referral: mustTime("2026-11-16T10:00:00Z")},
		ImportCase{Line: 5, Ref: "LSCP-2026-050", ChildInitials: "Ellie Testcase", Referral: mustTime("2026-11-16T10:00:00Z")},
		ImportCase{Line: 6, Ref: "LSCP-2026-051", Referral: mustTime("2026-11-16T10:00:00Z"), ScopingSent: mustTime("2026-11-17T10:00:00Z"),
			Agencies: []ImportAgency{{Name: "Nobody Known", Status: "asked"}}},
		ImportCase{Line: 7, Ref: "LSCP-2026-040", Referral: mustTime("2026-11-16T10:00:00Z")}, // twice in the file
		ImportCase{Line: 8, Ref: "LSCP-2026-052", Referral: mustTime("2027-01-16T10:00:00Z")},
	)
	_, err := tr.Import(ctx, rows, "cases.csv", false)
	if !errors.Is(err, ErrImport) {
		t.Fatalf("Import = %v, want ErrImport", err)
	}
	for _, want := range []string{"line 4", "line 5", "line 6", "line 7", "line 8", "never a name", "not in the [[agency]] directory", "already in the store", "in the future"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	var n int
	tr.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&n)
	if n != 0 {
		t.Errorf("%d cases after a refused import, want 0", n)
	}
}
