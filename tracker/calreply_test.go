package tracker

import (
	"context"
	"strings"
	"testing"
)

// Issue 9.3: invitees' answers to the meeting request are recorded per invitee on the
// case, never triaged and never answered; quorum is judged from who accepted, and staff
// are warned the working day before if it is not there.
func TestCalendarRepliesDecideQuorum(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	mr, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test")
	if err != nil {
		t.Fatal(err)
	}
	before := len(outboxEmails(t, tr, ""))
	uid := uint32(200)
	reply := func(from, partstat string, seq int) IngestResult {
		uid++
		return deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uid, ReceivedAt: clock.Now(),
			MessageID: from + partstat + "@reply.example", From: from, Subject: partstat + ": Rapid Review meeting",
			CalReply: &CalendarReply{UID: mr.UID, Sequence: seq, Attendee: from, PartStat: strings.ToUpper(partstat)}})
	}
	if res := reply("csc@lewisham.gov.uk", "Accepted", 0); res.Disposition != DispCalendarReply || res.CaseRef != "LSCP-2026-001" {
		t.Fatalf("an invitee's REPLY = %+v, want a calendar reply on the case", res)
	}
	reply("lead@met.example", "Accepted", 0)
	reply("icb@icb.example", "Declined", 0)
	reply("stranger@evil.example", "Accepted", 0) // not invited: not counted
	// An answer with only a subject, tied by the reply's [REF] tag from a directory address.
	uid++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uid, ReceivedAt: clock.Now(), MessageID: "lgt@reply.example",
		From: "safeguarding@lgt.example", Subject: "Accepted: [LSCP-2026-001] Rapid Review meeting"})
	if got := len(outboxEmails(t, tr, "")); got != before {
		t.Errorf("%d emails sent in answer to meeting responses, want none", got-before)
	}
	var n int
	tr.DB().QueryRow(`SELECT count(*) FROM meeting_replies WHERE case_id = 1`).Scan(&n)
	if n != 4 {
		t.Errorf("meeting replies recorded = %d, want 4 (csc, police, icb, trust; not the stranger)", n)
	}
	// The working day before, with the papers: health has not accepted.
	clock.Set("2026-12-15T09:30:00Z")
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	warned := 0
	for _, o := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(o.Email.Text, "not yet quorate by the answers received") {
			warned++
			if !strings.Contains(o.Email.Text, "nobody from health (ICB) has accepted") {
				t.Errorf("quorum warning names the wrong partners: %s", o.Email.Text)
			}
		}
	}
	if warned != 1 {
		t.Errorf("quorum warnings = %d, want 1", warned)
	}
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	again := 0
	for _, o := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(o.Email.Text, "not yet quorate by the answers received") {
			again++
		}
	}
	if again != 1 {
		t.Errorf("quorum warnings after a second tick = %d, want still 1", again)
	}
}

// Issue 9.4: once its meeting is held, a case is at the Rapid Review even with returns
// still out, and a return past its due time says overdue.
func TestStageMovesWhenTheMeetingIsHeld(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T11:45:00Z")
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := tr.Case(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	if d.Stage != StageRapidReview {
		t.Errorf("stage after the meeting = %s, want %s", d.Stage, StageRapidReview)
	}
	overdue := 0
	for _, r := range d.Returns {
		if r.Status == "overdue" || r.Status == "escalated" {
			overdue++
		}
		if r.Status == "awaiting" && clock.Now().After(r.Due) {
			t.Errorf("%s's return is past due but says awaiting", r.Agency)
		}
	}
	if overdue == 0 {
		t.Errorf("no return says overdue after its due time: %+v", d.Returns)
	}
}
