package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// queryStore is a tracker with cases in different stages: one scoped, with a return in, a
// nil return, an extension, reminders, chasers and an escalation; one that could not be
// read; one with a waiver; one not scoped.
func queryStore(t *testing.T) (*Tracker, *testClock) {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")))
	clock.Set("2026-12-07T11:00:00Z")
	must(tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"))
	clock.Set("2026-12-08T09:00:00Z")
	must(tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(), MessageID: "r2@example.org",
		From: "someone@lgt.example", Subject: "Urgent",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "referral.docx"}, ParseError: "document is password-protected"}}}))
	clock.Set("2026-12-08T10:00:00Z")
	must(tr.Ingest(ctx, referralIncoming("r3@example.org", 3, "2026-12-08T10:00:00Z")))
	clock.Set("2026-12-08T11:00:00Z")
	must(tr.StartScoping(ctx, "LSCP-2026-003", nil, "test"))
	ids := map[string]string{}
	for _, o := range outbox(t, tr) {
		if o.Kind == TmplScopingRequest {
			ids[o.MessageID[:len("LSCP-2026-001")]+"/"+o.Agency] = o.MessageID
		}
	}
	clock.Set("2026-12-09T14:30:00Z")
	must(tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 4, ReceivedAt: clock.Now(), MessageID: "p1@met.example",
		From: "lead@met.example", Subject: "RE: request", InReplyTo: ids["LSCP-2026-001/Metropolitan Police Service"],
		Attachments: []InAttachment{{Attachment: Attachment{Name: "return.docx"}, Form: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes", "family_known": "yes"}}}}}))
	must(tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 5, ReceivedAt: clock.Now(), MessageID: "icb1@icb.example",
		From: "icb@icb.example", Subject: "RE: request", InReplyTo: ids["LSCP-2026-003/NHS South East London ICB"],
		BodyForm: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "no", "family_known": "no"}}}))
	clock.Set("2026-12-10T10:00:00Z")
	must(tr.Extend(ctx, "LSCP-2026-001", "Lewisham Children's Social Care", time.Date(2026, 12, 22, 17, 0, 0, 0, time.UTC), "test"))
	must(tr.Waive(ctx, "LSCP-2026-003", "Lewisham Children's Social Care", "test"))
	clock.Set("2026-12-17T09:00:00Z")
	must(tr.Ingest(ctx, referralIncoming("r4@example.org", 6, "2026-12-17T09:00:00Z")))
	for _, at := range []string{"2026-12-14T09:00:00Z", "2026-12-16T09:00:00Z", "2026-12-17T09:00:00Z", "2026-12-18T09:00:00Z"} {
		clock.Set(at)
		must(tr.Tick(ctx))
	}
	return tr, clock
}

// The moments the tests read at: between deadlines, exactly at a due time (17:00 on the
// 15th, not yet passed) and a fraction of a second after it (passed).
var queryMoments = []time.Time{
	mustTime("2026-12-14T12:00:00Z"),
	mustTime("2026-12-15T17:00:00Z"),
	mustTime("2026-12-15T17:00:00Z").Add(300 * time.Millisecond),
	mustTime("2026-12-21T09:00:00Z"),
	mustTime("2027-02-01T09:00:00Z"),
}

// TestCaseLinesMatchCases: the one-query list `csprbot cases` prints says what Cases says
// of each case's next deadline and overdue returns.
func TestCaseLinesMatchCases(t *testing.T) {
	ctx := context.Background()
	tr, _ := queryStore(t)
	for _, now := range queryMoments {
		tr.Now = func() time.Time { return now }
		cs, err := tr.Cases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := tr.CaseLines(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != len(ls) || len(cs) != 4 {
			t.Fatalf("at %s: Cases %d, CaseLines %d, want 4 each", now, len(cs), len(ls))
		}
		for i, c := range cs {
			want := CaseLine{Ref: c.Ref, Stage: c.Stage, ChildInitials: c.ChildInitials, NeedsCompletion: c.NeedsCompletion,
				MissedDeadlines: c.MissedDeadlines(), OverdueReturns: c.OverdueReturns}
			if n := c.NextDeadline; n != nil {
				want.NextDeadline = &Deadline{Rule: n.Rule, Agency: n.Agency, Due: n.Due, Status: n.Status}
			}
			if !reflect.DeepEqual(ls[i], want) {
				t.Errorf("at %s: CaseLines()[%d] = %s, want %s", now, i, lineString(ls[i]), lineString(want))
			}
		}
	}
}

func lineString(l CaseLine) string {
	s := fmt.Sprintf("%s %s %s needs=%v missed=%q overdue=%q next=", l.Ref, l.Stage, l.ChildInitials, l.NeedsCompletion, l.MissedDeadlines, l.OverdueReturns)
	if l.NextDeadline == nil {
		return s + "nil"
	}
	return s + fmt.Sprintf("%+v", *l.NextDeadline)
}

// TestDigestMatchesCaseViews: the set-based digest holds, for every open case, what the
// templates' case view (caseView, one case at a time) holds, and the overdue lines the
// per-case reading made.
func TestDigestMatchesCaseViews(t *testing.T) {
	ctx := context.Background()
	tr, _ := queryStore(t)
	if _, err := tr.db.ExecContext(ctx, `UPDATE cases SET stage = ? WHERE ref = 'LSCP-2026-002'`, StageClosed); err != nil {
		t.Fatal(err)
	}
	for _, now := range queryMoments {
		got, err := tr.Digest(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		want := digestOneByOne(t, tr, now)
		if len(got.Digest.Cases) != 3 {
			t.Errorf("at %s: %d cases in the digest, want the 3 open", now, len(got.Digest.Cases))
		}
		if !reflect.DeepEqual(got.Digest, want) {
			t.Errorf("at %s: Digest =\n%+v\nwant (case by case)\n%+v", now, *got.Digest, *want)
		}
	}
}

// digestOneByOne is the digest as it was built before it was read set-based: a case view
// per open case, a query per missed deadline. The chased and escalated lines come from
// the same query in both, so they are copied.
func digestOneByOne(t *testing.T, tr *Tracker, now time.Time) *DigestView {
	t.Helper()
	ctx := context.Background()
	dv := &DigestView{WeekFrom: now.AddDate(0, 0, -7), WeekTo: now}
	loc := tr.cal.Location()
	err := tr.tx(ctx, func(tx *sql.Tx) error {
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
			c, err := tr.caseView(ctx, tx, id, now)
			if err != nil {
				return err
			}
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
					continue
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
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := tr.Digest(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	dv.Chased, dv.Escalated = d.Digest.Chased, d.Digest.Escalated
	return dv
}

// TestPastKey: a time stored as ts() writes it is passed exactly when now.After says so.
func TestPastKey(t *testing.T) {
	due := mustTime("2026-12-15T17:00:00Z")
	for _, now := range []time.Time{
		due.Add(-time.Second), due.Add(-time.Nanosecond), due, due.Add(time.Nanosecond), due.Add(999 * time.Millisecond), due.Add(time.Second),
		due.In(time.FixedZone("x", 3600)).Add(time.Millisecond),
	} {
		if got, want := ts(due) < pastKey(now), now.After(due); got != want {
			t.Errorf("ts(due) < pastKey(%s) = %v, want %v", now.Format(time.RFC3339Nano), got, want)
		}
	}
}
