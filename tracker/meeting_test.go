package tracker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// rrRenderer is testRenderer plus a stand-in for the .ics the real templates attach, so
// that the tracker's side of the invitation (UID, SEQUENCE, METHOD) can be checked.
type rrRenderer struct{ testRenderer }

func (r rrRenderer) Render(name string, d *MailData) (Rendered, error) {
	out, err := r.testRenderer.Render(name, d)
	if err != nil {
		return out, err
	}
	for _, l := range append(append([]string{}, d.Lines...), d.Case.Warnings...) {
		out.Text += l + "\n"
	}
	if d.RR != nil && d.RR.Event != nil {
		ev := d.RR.Event
		ics := fmt.Sprintf("METHOD:%s\nSEQUENCE:%d\nUID:%s\nDTSTART:%s\nATTENDEES:%s\n", ev.Method, ev.Sequence, ev.UID, ev.Start.UTC().Format(time.RFC3339), strings.Join(ev.Attendees, ","))
		out.Attachments = append(out.Attachments, Attachment{Name: "invite.ics", ContentType: "text/calendar; method=" + ev.Method, Data: []byte(ics)})
	}
	return out, nil
}

func rrConfig() Config {
	c := testConfig()
	c.Addresses.NationalPanel = "Mailbox.NationalReviewPanel@education.gov.uk"
	c.Addresses.Ofsted = "SCR.SIN@ofsted.gov.uk"
	c.Addresses.DfE = "Mailbox.CPOD@education.gov.uk"
	c.TrustedAuthServID = "mx.lewisham.gov.uk"
	return c
}

func newRRTracker(t *testing.T, clock *testClock, edit func(*Config)) *Tracker {
	t.Helper()
	cfg := rrConfig()
	if edit != nil {
		edit(&cfg)
	}
	return newTrackerWith(t, clock, cfg, rrRenderer{})
}

// openScopedCase opens LSCP-2026-001 from a referral at 'at' and starts scoping an hour later.
func openScopedCase(t *testing.T, tr *Tracker, clock *testClock, at string) {
	t.Helper()
	ctx := context.Background()
	clock.Set(at)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, at)); err != nil {
		t.Fatal(err)
	}
	clock.Set(clock.Now().Add(time.Hour).Format(time.RFC3339))
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
}

// outRow is an outbox row with its email.
type outRow struct {
	OutboxEntry
	Email OutEmail
}

func outboxEmails(t *testing.T, tr *Tracker, kind string) []outRow {
	t.Helper()
	rows, err := tr.DB().Query(`SELECT message_id, kind, recipients, status, agency, email_json FROM outbox WHERE ? = '' OR kind = ? ORDER BY id`, kind, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outRow
	for rows.Next() {
		var o outRow
		var body string
		if err := rows.Scan(&o.MessageID, &o.Kind, &o.To, &o.Status, &o.Agency, &body); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(body), &o.Email); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func icsOf(t *testing.T, o outRow) string {
	t.Helper()
	for _, a := range o.Email.Attachments {
		if a.Name == "invite.ics" {
			return string(a.Data)
		}
	}
	t.Fatalf("%s to %s carries no invite.ics", o.Kind, o.To)
	return ""
}

func TestMeetingWindowForceMoveAndCancel(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")

	// Referral Mon 7 Dec: the window is WD 7 (Wed 16 Dec, from 00:00) to WD 13 (Thu 24 Dec 17:00).
	tooEarly := mustTime("2026-12-15T10:00:00Z")
	_, err := tr.SetMeeting(ctx, "LSCP-2026-001", tooEarly, false, "test")
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "window") {
		t.Fatalf("SetMeeting before the window = %v, want a refusal naming the window", err)
	}
	if n := len(outboxEmails(t, tr, TmplMeetingInvite)); n != 0 {
		t.Fatalf("a refused meeting sent %d invitations", n)
	}
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-24T17:30:00Z"), false, "test"); !errors.Is(err, ErrRefused) {
		t.Errorf("SetMeeting after the window = %v, want refused", err)
	}
	res, err := tr.SetMeeting(ctx, "LSCP-2026-001", tooEarly, true, "test")
	if err != nil || !res.Forced || res.Sequence != 0 {
		t.Fatalf("SetMeeting --force = %+v, %v", res, err)
	}
	// Staff and the four directory agencies: never the school, whose address was only
	// typed into the referral form (issue 8: case material only to addresses vouched for).
	inv := outboxEmails(t, tr, TmplMeetingInvite)
	if len(inv) != 5 || len(res.Invited) != 5 {
		t.Fatalf("invitations = %d (invited %v), want 5", len(inv), res.Invited)
	}
	for _, o := range inv {
		if strings.Contains(o.To, "brockley.example") {
			t.Errorf("invitation sent to the address typed into the referral: %s", o.To)
		}
	}
	uid := res.UID
	for _, o := range inv {
		ics := icsOf(t, o)
		if !strings.Contains(ics, "METHOD:REQUEST") || !strings.Contains(ics, "SEQUENCE:0") || !strings.Contains(ics, "UID:"+uid) {
			t.Errorf("first invitation to %s: %q", o.To, ics)
		}
	}
	if len(res.NoQuorum) != 0 {
		t.Errorf("NoQuorum = %v with all three partners invited", res.NoQuorum)
	}
	// Moving it: an update with the same UID and a higher SEQUENCE.
	res, err = tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test")
	if err != nil || !res.Moved || res.Sequence != 1 || res.UID != uid {
		t.Fatalf("moving the meeting = %+v, %v", res, err)
	}
	again, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test")
	if err != nil || !again.Unchanged {
		t.Errorf("setting the same time again = %+v, %v; want unchanged", again, err)
	}
	inv = outboxEmails(t, tr, TmplMeetingInvite)
	if len(inv) != 10 {
		t.Fatalf("invitations after the move = %d, want 10", len(inv))
	}
	for _, o := range inv[6:] {
		ics := icsOf(t, o)
		if !strings.Contains(ics, "METHOD:REQUEST") || !strings.Contains(ics, "SEQUENCE:1") || !strings.Contains(ics, "UID:"+uid) || !strings.Contains(ics, "DTSTART:2026-12-16T10:00:00Z") {
			t.Errorf("update to %s: %q", o.To, ics)
		}
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	if due, _ := deadlineDue(t, d, "rr_papers", ""); !due.Equal(mustTime("2026-12-16T10:00:00Z")) {
		t.Errorf("rr_papers due %s, want the meeting", due)
	}
	// Meeting Wed 16 + 2 WD = Fri 18 Dec 17:00, before aware + 15 WD.
	if due, _ := deadlineDue(t, d, "rr_submission", ""); !due.Equal(mustTime("2026-12-18T17:00:00Z")) {
		t.Errorf("rr_submission due %s, want 2026-12-18T17:00:00Z", due)
	}
	if due, _ := deadlineDue(t, d, "outcome_notice", ""); !due.Equal(mustTime("2026-12-18T17:00:00Z")) {
		t.Errorf("outcome_notice due %s, want 2026-12-18T17:00:00Z", due)
	}

	res, err = tr.CancelMeeting(ctx, "LSCP-2026-001", "test")
	if err != nil || res.Sequence != 2 {
		t.Fatalf("CancelMeeting = %+v, %v", res, err)
	}
	cancels := outboxEmails(t, tr, TmplMeetingCancel)
	if len(cancels) != 5 {
		t.Fatalf("cancellations = %d, want 5", len(cancels))
	}
	for _, o := range cancels {
		ics := icsOf(t, o)
		if !strings.Contains(ics, "METHOD:CANCEL") || !strings.Contains(ics, "SEQUENCE:2") || !strings.Contains(ics, "UID:"+uid) {
			t.Errorf("cancellation to %s: %q", o.To, ics)
		}
	}
	if _, err := tr.CancelMeeting(ctx, "LSCP-2026-001", "test"); !errors.Is(err, ErrRefused) {
		t.Errorf("cancelling twice = %v, want refused", err)
	}
	d, _ = tr.Case(ctx, "LSCP-2026-001")
	for _, dl := range d.Deadlines {
		if dl.Rule == "rr_papers" {
			t.Errorf("rr_papers still set after the cancellation: %+v", dl)
		}
	}
	var events []string
	for _, a := range d.Audit {
		if strings.HasPrefix(a.Event, "meeting_") {
			events = append(events, a.Event+" by "+a.Actor)
		}
	}
	if strings.Join(events, ",") != "meeting_set by test,meeting_set by test,meeting_cancelled by test" {
		t.Errorf("audit of the meeting = %v", events)
	}
}

func TestMeetingQuorumWarning(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) {
		for i := range c.Agencies {
			if c.Agencies[i].Partner == "health" {
				c.Agencies[i].Partner = "" // no health partner in the directory
			}
		}
	})
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	res, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-17T10:00:00Z"), false, "test")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.NoQuorum, ",") != "health" {
		t.Errorf("NoQuorum = %v, want [health]", res.NoQuorum)
	}
	var warned bool
	for _, o := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(o.Email.Text, "cannot be quorate") && strings.Contains(o.Email.Text, "health") && o.To == "strategic.lead@lewisham.gov.uk" {
			warned = true
		}
	}
	if !warned {
		t.Errorf("staff were not warned that the meeting cannot be quorate")
	}
}

func TestPapersSentOnceAndLateReturnForwarded(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	req := map[string]string{}
	for _, o := range outboxEmails(t, tr, TmplScopingRequest) {
		req[o.Agency] = o.MessageID
	}
	clock.Set("2026-12-09T14:30:00Z")
	if _, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(), MessageID: "p1@met.example",
		From: "lead@met.example", Subject: "RE: request", InReplyTo: req["Metropolitan Police Service"],
		Attachments: []InAttachment{
			{Attachment: Attachment{Name: "return.docx", Data: []byte("PK-police")}, Form: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes", "family_known": "yes"}}},
			{Attachment: Attachment{Name: "logo.png", ContentType: "image/png", Data: []byte("png")}},
		}}); err != nil {
		t.Fatal(err)
	}
	// Papers go at 09:00 one working day before the meeting (Tue 15 Dec), not before.
	clock.Set("2026-12-15T08:59:00Z")
	if n, err := tr.TickMeetings(ctx); err != nil || n != 0 {
		t.Fatalf("TickMeetings before time = %d, %v", n, err)
	}
	clock.Set("2026-12-15T09:00:00Z")
	if n, err := tr.TickMeetings(ctx); err != nil || n != 1 {
		t.Fatalf("TickMeetings at 09:00 the day before = %d, %v; want papers sent", n, err)
	}
	if n, _ := tr.TickMeetings(ctx); n != 0 {
		t.Errorf("second TickMeetings sent papers again")
	}
	papers := outboxEmails(t, tr, TmplPapers)
	if len(papers) != 5 {
		t.Fatalf("papers emails = %d, want one per invitee (5)", len(papers))
	}
	for _, o := range papers {
		var names []string
		for _, a := range o.Email.Attachments {
			names = append(names, a.Name)
		}
		if strings.Join(names, ",") != "referral.docx,return.docx" {
			t.Errorf("papers to %s carry %v, want the referral and the police return", o.To, names)
		}
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	if _, st := deadlineDue(t, d, "rr_papers", ""); st != "met" {
		t.Errorf("rr_papers %s, want met", st)
	}
	// A return after the papers: forwarded once.
	clock.Set("2026-12-15T12:00:00Z")
	if _, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 3, ReceivedAt: clock.Now(), MessageID: "icb1@icb.example",
		From: "icb@icb.example", Subject: "RE: request", InReplyTo: req["NHS South East London ICB"],
		Attachments: []InAttachment{{Attachment: Attachment{Name: "icb.docx", Data: []byte("PK-icb")}, Form: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes"}}}}}); err != nil {
		t.Fatal(err)
	}
	// The intake forwards it at once; the tick finds nothing left to send.
	if n, err := tr.TickMeetings(ctx); err != nil || n != 0 {
		t.Fatalf("TickMeetings after a late return forwarded at intake = %d, %v; want 0", n, err)
	}
	papers = outboxEmails(t, tr, TmplPapers)
	if len(papers) != 10 {
		t.Fatalf("papers emails = %d, want 10", len(papers))
	}
	for _, o := range papers[6:] {
		if len(o.Email.Attachments) != 1 || o.Email.Attachments[0].Name != "icb.docx" {
			t.Errorf("late papers to %s = %+v", o.To, o.Email.Attachments)
		}
	}
	// At the meeting time, rr_meeting is met.
	clock.Set("2026-12-16T11:00:00Z")
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	d, _ = tr.Case(ctx, "LSCP-2026-001")
	if _, st := deadlineDue(t, d, "rr_meeting", ""); st != "met" {
		t.Errorf("rr_meeting %s after the meeting, want met", st)
	}
}

func TestMeetingSoonSendsPapersAtOnce(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-16T09:30:00Z")
	res, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T15:00:00Z"), false, "test")
	if err != nil || !res.PapersSent {
		t.Fatalf("SetMeeting the same day = %+v, %v; want papers sent at once", res, err)
	}
	if n, _ := tr.TickMeetings(ctx); n != 0 {
		t.Errorf("papers sent again by the tick")
	}
}

// TestForwardLateReturnHook is the path intake's agencyReply takes: the late return is
// sent in the transaction that records it, and the tick does not send it again.
func TestForwardLateReturnHook(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-16T09:30:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T15:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	var req string
	for _, o := range outboxEmails(t, tr, TmplScopingRequest) {
		if o.Agency == "NHS South East London ICB" {
			req = o.MessageID
		}
	}
	in := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 9, ReceivedAt: clock.Now(), MessageID: "<icb9@icb.example>",
		From: "icb@icb.example", Subject: "RE: request", InReplyTo: req,
		Attachments: []InAttachment{{Attachment: Attachment{Name: "icb.docx", Data: []byte("PK-icb")}, Form: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes"}}}}}
	before := len(outboxEmails(t, tr, TmplPapers))
	if _, err := tr.Ingest(ctx, in); err != nil { // the intake calls the hook once
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // and calling it again sends nothing more
		if err := tr.tx(ctx, func(tx *sql.Tx) error {
			return tr.forwardLateReturn(ctx, tx, clock.Now(), 1, "NHS South East London ICB", in)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := tr.TickMeetings(ctx); n != 0 {
		t.Errorf("the tick sent the forwarded return again")
	}
	if got := len(outboxEmails(t, tr, TmplPapers)) - before; got != 5 {
		t.Errorf("late return sent in %d emails, want 5 (once to each invitee)", got)
	}
}
