package tracker

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"
)

// draftCase opens LSCP-2026-001 from a referral carrying family members and events,
// starts scoping and sets the meeting for Wed 16 Dec 10:00. It returns the scoping
// requests' Message-IDs by agency and the meeting's UID.
func draftCase(t *testing.T, tr *Tracker, clock *testClock) (map[string]string, string) {
	t.Helper()
	ctx := context.Background()
	in := referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")
	f := in.Attachments[0].Form
	f.Fields["child_dob"] = "2019-04-02"
	f.Fields["presenting_concerns"] = "Bruising noticed at school in October."
	f.Tables["family_members"] = []map[string]string{
		{"name_address": "Donna Testcase, 1 Example Road", "relationship": "Mother", "dob": "1990-05-01", "group": "immediate"},
		{"name_address": "Ray Testcase", "relationship": "Uncle", "group": "extended"},
	}
	f.Tables["events"] = []map[string]string{
		{"when": "2026-12-05", "event": "Child admitted to hospital with a head injury"},
		{"when": "the weekend before", "event": "Mother says the child fell"},
	}
	clock.Set("2026-12-07T10:15:00Z")
	if _, err := tr.Ingest(ctx, in); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-07T11:15:00Z")
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-08T10:00:00Z")
	mr, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test")
	if err != nil {
		t.Fatal(err)
	}
	req := map[string]string{}
	for _, o := range outboxEmails(t, tr, TmplScopingRequest) {
		req[o.Agency] = o.MessageID
	}
	return req, mr.UID
}

var draftUID uint32 = 100

// agencySends delivers a reply from an agency's directory address to its request.
func agencySends(t *testing.T, tr *Tracker, clock *testClock, from, inReplyTo, id string, atts ...InAttachment) IngestResult {
	t.Helper()
	draftUID++
	res, err := tr.Ingest(context.Background(), &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: draftUID, ReceivedAt: clock.Now(),
		MessageID: id, From: from, Subject: "RE: request", InReplyTo: inReplyTo, Text: "Please find attached.", Attachments: atts})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func scopingAtt(name string, fields map[string]string, rows ...map[string]string) InAttachment {
	f := &Form{Kind: FormScopingReturn, Fields: fields, Tables: map[string][]map[string]string{}}
	if len(rows) > 0 {
		f.Tables["involvement"] = rows
	}
	return InAttachment{Attachment: Attachment{Name: name, Data: []byte("PK-" + name)}, Form: f}
}

func chronologyAtt(name, initials string, rows ...map[string]string) InAttachment {
	return InAttachment{Attachment: Attachment{Name: name, Data: []byte("PK-" + name)},
		Form: &Form{Kind: FormChronology, Fields: map[string]string{"child_initials": initials}, Tables: map[string][]map[string]string{"entries": rows}}}
}

func inTx[R any](t *testing.T, tr *Tracker, fn func(tx *sql.Tx) (R, error)) R {
	t.Helper()
	var out R
	if err := tr.tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Issue 14.1: the Rapid Review report draft goes to staff only, once, with the papers the
// working day before the meeting, filled from the referral, the returns and the replies.
func TestRRDraftGoesWithThePapersToStaffOnly(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	req, uid := draftCase(t, tr, clock)

	clock.Set("2026-12-09T14:30:00Z")
	agencySends(t, tr, clock, "lead@met.example", req["Metropolitan Police Service"], "p1@met.example",
		scopingAtt("police-return.docx", map[string]string{"child_known": "yes", "family_known": "yes", "family_members_known": "Donna Testcase (mother)"},
			map[string]string{"date": "2026-10-02", "person": "Mother", "event": "Call about noise", "outcome": "No further action"}))
	clock.Set("2026-12-10T09:00:00Z")
	agencySends(t, tr, clock, "csc@lewisham.gov.uk", req["Lewisham Children's Social Care"], "c1@lewisham.gov.uk",
		scopingAtt("csc-return.docx", map[string]string{"child_known": "no", "family_known": "no"}))
	for i, r := range []struct{ from, ps string }{{"lead@met.example", "ACCEPTED"}, {"csc@lewisham.gov.uk", "DECLINED"}, {"strategic.lead@lewisham.gov.uk", "ACCEPTED"}} {
		draftUID++
		if _, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: draftUID, ReceivedAt: clock.Now(), MessageID: r.from + r.ps + "@reply",
			From: r.from, Subject: "Reply", CalReply: &CalendarReply{UID: uid, Sequence: 0, Attendee: r.from, PartStat: r.ps}}); err != nil {
			t.Fatal(i, err)
		}
	}

	clock.Set("2026-12-15T08:59:00Z")
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(outboxEmails(t, tr, TmplRRDraft)); n != 0 {
		t.Fatalf("%d report drafts before the papers", n)
	}
	clock.Set("2026-12-15T09:00:00Z")
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	drafts := outboxEmails(t, tr, TmplRRDraft)
	if len(drafts) != 1 || drafts[0].To != "strategic.lead@lewisham.gov.uk" {
		t.Fatalf("report drafts = %+v, want one, to staff only", drafts)
	}
	if strings.Contains(drafts[0].Email.Subject, "Testcase") || strings.Contains(drafts[0].Email.Subject, "Ellie") {
		t.Errorf("the draft's subject names the child: %q", drafts[0].Email.Subject)
	}

	v := inTx(t, tr, func(tx *sql.Tx) (*RRDraftView, error) {
		c, err := loadCase(ctx, tx, "ref = ?", "LSCP-2026-001")
		if err != nil {
			return nil, err
		}
		return tr.rrDraftView(ctx, tx, c.id)
	})
	if v.ChildName != "Ellie Testcase" || v.ChildInitials != "ET" || !v.Meeting.Equal(mustTime("2026-12-16T10:00:00Z")) {
		t.Errorf("draft header = %q %q %s", v.ChildName, v.ChildInitials, v.Meeting)
	}
	if len(v.Family) != 2 || v.Family[1]["name_address"] != "Ray Testcase" {
		t.Errorf("family = %v, want the referral's two", v.Family)
	}
	if !reflect.DeepEqual(v.FamilyNamed, []Field{{Label: "Metropolitan Police Service", Value: "Donna Testcase (mother)"}}) {
		t.Errorf("family named by returns = %v", v.FamilyNamed)
	}
	wantDocs := []string{
		"Referral of a Serious Incident from Lewisham and Greenwich NHS Trust, received 7 December 2026",
		"Lewisham Children's Social Care: nil return received 10 December 2026 (neither the child nor the family known)",
		"Metropolitan Police Service: scoping return received 9 December 2026 (police-return.docx)",
		"NHS South East London ICB: NOT RETURNED (due 15 December 2026)",
		"Lewisham and Greenwich NHS Trust: NOT RETURNED (due 15 December 2026)",
	}
	if !reflect.DeepEqual(v.Documents, wantDocs) {
		t.Errorf("documents =\n%s\nwant\n%s", strings.Join(v.Documents, "\n"), strings.Join(wantDocs, "\n"))
	}
	replies := map[string]string{}
	for _, e := range v.Expected {
		replies[e.Address] = e.Reply
	}
	want := map[string]string{"strategic.lead@lewisham.gov.uk": "accepted", "lead@met.example": "accepted", "csc@lewisham.gov.uk": "declined",
		"icb@icb.example": "no reply", "safeguarding@lgt.example": "no reply"}
	if !reflect.DeepEqual(replies, want) {
		t.Errorf("expected participants = %v, want %v", replies, want)
	}
	var summary []string
	for _, f := range v.Summary {
		summary = append(summary, f.Label+": "+f.Value)
	}
	if s := strings.Join(summary, "\n"); !strings.Contains(s, "Presenting concerns: Bruising noticed at school in October.") ||
		!strings.Contains(s, "The incident: Serious harm on 2026-12-05") || !strings.Contains(s, "2026-12-05: Child admitted to hospital") {
		t.Errorf("summary = %s", s)
	}
	// The audit trail says a draft went, naming no one.
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	found := false
	for _, a := range d.Audit {
		if a.Event == "draft_rr_report" {
			found = true
			if strings.Contains(a.Detail, "Testcase") {
				t.Errorf("audit names the family: %q", a.Detail)
			}
		}
	}
	if !found {
		t.Error("no draft_rr_report in the audit trail")
	}
	// "Send report draft" sends it again, as the case stands now.
	draftUID++
	if _, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: draftUID, ReceivedAt: clock.Now(), MessageID: "cmd-rr@lewisham.gov.uk",
		From: "strategic.lead@lewisham.gov.uk", Subject: "RE: draft", InReplyTo: drafts[0].MessageID, Text: "Send report draft\n"}); err != nil {
		t.Fatal(err)
	}
	if drafts := outboxEmails(t, tr, TmplRRDraft); len(drafts) != 2 || drafts[1].To != "strategic.lead@lewisham.gov.uk" {
		t.Errorf("report drafts after the command = %d, want 2 (to staff)", len(drafts))
	}
	answers := outboxEmails(t, tr, TmplCommandReply)
	if len(answers) == 0 || !strings.Contains(answers[len(answers)-1].Email.Text, "Rapid Review report draft") {
		t.Errorf("the command's reply does not say the draft went")
	}
}

// Issue 14.2: four agencies' returns and chronologies, with overlapping and undated entries,
// merge into one chronology, checked entry by entry; "Send chronology" sends it to staff,
// and a late return sends an updated copy once.
func TestCombinedChronologyFourAgencies(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	req, _ := draftCase(t, tr, clock)

	clock.Set("2026-12-09T10:00:00Z")
	// Police: a scoping return with involvement, and a chronology, in one email.
	agencySends(t, tr, clock, "lead@met.example", req["Metropolitan Police Service"], "p1@met.example",
		scopingAtt("police-return.docx", map[string]string{"child_known": "yes"},
			map[string]string{"date": "2026-10-02", "person": "Mother", "event": "Police called to the home after a report of shouting", "outcome": "Words of advice"}),
		chronologyAtt("police-chronology.docx", "ET",
			map[string]string{"date": "2026-12-05", "sender": "PC Jones", "subject": "Child protection referral", "comms_external": "Email to CSC front door about the head injury", "response": "Strategy discussion", "source": "Niche", "comment": "Same day"},
			map[string]string{"date": "2026/10/02 (approx)", "sender": "Control room", "comms_within": "Log of call"}))
	// Children's Social Care: a scoping return whose rows overlap the police's.
	clock.Set("2026-12-09T11:00:00Z")
	agencySends(t, tr, clock, "csc@lewisham.gov.uk", req["Lewisham Children's Social Care"], "c1@lewisham.gov.uk",
		scopingAtt("csc-return.docx", map[string]string{"child_known": "yes"},
			map[string]string{"date": "2026-12-05", "person": "Child", "event": "Referral from police about the head injury", "outcome": "Strategy discussion held"},
			map[string]string{"date": "2025-03-14", "person": "Mother", "event": "Early help assessment", "outcome": "Closed"}))
	// The hospital trust: a return, then its chronology in a later email.
	agencySends(t, tr, clock, "safeguarding@lgt.example", req["Lewisham and Greenwich NHS Trust"], "l1@lgt.example",
		scopingAtt("lgt-return.docx", map[string]string{"child_known": "yes"},
			map[string]string{"date": "2026-12-05", "person": "Child", "event": "Admitted to A&E with a head injury", "outcome": "Admitted"}))
	clock.Set("2026-12-09T12:00:00Z")
	agencySends(t, tr, clock, "safeguarding@lgt.example", req["Lewisham and Greenwich NHS Trust"], "l2@lgt.example",
		chronologyAtt("lgt-chronology.docx", "E.T.",
			map[string]string{"date": "2026-12-05", "sender": "ED consultant", "subject": "Head injury", "comms_external": "Phone call to police about the head injury", "response": "Police attended"},
			map[string]string{"date": "", "sender": "Health visitor", "comms_within": "Missed appointment letter"}))
	// A chronology printed with another child's initials is never merged.
	agencySends(t, tr, clock, "safeguarding@lgt.example", req["Lewisham and Greenwich NHS Trust"], "l3@lgt.example",
		chronologyAtt("wrong-child.docx", "ZZ", map[string]string{"date": "2026-01-01", "sender": "Someone", "comms_within": "Not this child"}))

	v, err := tr.Chronology(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Date, Agency, Source, Who, What, Same string }
	var got []row
	for _, e := range v.Entries {
		got = append(got, row{e.Date, e.Agency, e.Source, e.Who, e.What, strings.Join(e.Same, ",")})
	}
	const (
		police = "Metropolitan Police Service"
		csc    = "Lewisham Children's Social Care"
		lgt    = "Lewisham and Greenwich NHS Trust"
	)
	want := []row{
		{"2025-03-14", csc, "scoping return", "Mother", "Early help assessment", ""},
		{"2026-10-02", police, "scoping return", "Mother", "Police called to the home after a report of shouting", ""},
		{"2026-12-05", lgt, "referral", "", "Child admitted to hospital with a head injury", police + "," + csc},
		{"2026-12-05", police, "chronology", "PC Jones – Child protection referral", "External: Email to CSC front door about the head injury", lgt + "," + csc},
		{"2026-12-05", csc, "scoping return", "Child", "Referral from police about the head injury", lgt + "," + police},
		{"2026-12-05", lgt, "scoping return", "Child", "Admitted to A&E with a head injury", police + "," + csc},
		{"2026-12-05", lgt, "chronology", "ED consultant – Head injury", "External: Phone call to police about the head injury", police + "," + csc},
	}
	if !reflect.DeepEqual(got, want) {
		var b strings.Builder
		for _, r := range got {
			b.WriteString("\n  ")
			b.WriteString(strings.Join([]string{r.Date, r.Agency, r.Source, r.Who, r.What, r.Same}, " | "))
		}
		t.Errorf("entries:%s\nwant %d entries", b.String(), len(want))
	}
	var undated []string
	for _, e := range v.Undated {
		undated = append(undated, e.Date+" | "+e.Agency+" | "+e.Who+" | "+e.What)
	}
	wantUndated := []string{
		"the weekend before | Lewisham and Greenwich NHS Trust |  | Mother says the child fell",
		"2026/10/02 (approx) | Metropolitan Police Service | Control room | Within agency: Log of call",
		" | Lewisham and Greenwich NHS Trust | Health visitor | Within agency: Missed appointment letter",
	}
	if !reflect.DeepEqual(undated, wantUndated) {
		t.Errorf("undated =\n%s\nwant\n%s", strings.Join(undated, "\n"), strings.Join(wantUndated, "\n"))
	}
	if !reflect.DeepEqual(v.Missing, []string{"NHS South East London ICB"}) {
		t.Errorf("missing = %v", v.Missing)
	}
	if v.PeriodFrom != "" || v.PeriodNote == "" {
		t.Errorf("period = %q–%q (%q), want none and a note saying so", v.PeriodFrom, v.PeriodTo, v.PeriodNote)
	}
	if len(v.Sources) != 6 {
		t.Errorf("sources = %+v, want the referral and five documents", v.Sources)
	}

	// "Send chronology" by a staff reply: to staff only (no lead reviewer recorded).
	var staffMail string
	for _, o := range outboxEmails(t, tr, "") {
		if o.To == "strategic.lead@lewisham.gov.uk" {
			staffMail = o.MessageID
		}
	}
	draftUID++
	if _, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: draftUID, ReceivedAt: clock.Now(), MessageID: "cmd1@lewisham.gov.uk",
		From: "strategic.lead@lewisham.gov.uk", Subject: "RE: case", InReplyTo: staffMail, Text: "Send chronology\n"}); err != nil {
		t.Fatal(err)
	}
	sent := outboxEmails(t, tr, TmplChronology)
	if len(sent) != 1 || sent[0].To != "strategic.lead@lewisham.gov.uk" {
		t.Fatalf("chronology emails = %+v, want one to staff", sent)
	}
	replies := outboxEmails(t, tr, TmplCommandReply)
	if len(replies) == 0 || !strings.Contains(replies[len(replies)-1].Email.Text, "combined chronology") {
		t.Errorf("the command's reply does not say the chronology went")
	}
	// Nothing new: the tick sends nothing.
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(outboxEmails(t, tr, TmplChronology)); n != 1 {
		t.Fatalf("chronology emails after an idle tick = %d, want 1", n)
	}
	// The ICB's late return: an updated chronology, once.
	clock.Set("2026-12-14T10:00:00Z")
	agencySends(t, tr, clock, "icb@icb.example", req["NHS South East London ICB"], "i1@icb.example",
		scopingAtt("icb-return.docx", map[string]string{"child_known": "yes"}, map[string]string{"date": "2026-11-20", "person": "Child", "event": "GP appointment", "outcome": "Seen"}))
	for range 2 {
		if _, err := tr.TickMeetings(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sent = outboxEmails(t, tr, TmplChronology)
	if len(sent) != 2 {
		t.Fatalf("chronology emails after a late return = %d, want 2", len(sent))
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	var notes []string
	for _, a := range d.Audit {
		if a.Event == "draft_chronology" {
			notes = append(notes, a.Detail)
		}
	}
	if len(notes) != 2 || !strings.Contains(notes[1], "a later return arrived from NHS South East London ICB") {
		t.Errorf("chronology audit = %q", notes)
	}
	v, _ = tr.Chronology(ctx, "LSCP-2026-001")
	if len(v.Missing) != 0 || len(v.Entries) != 8 {
		t.Errorf("after the late return: %d entries, missing %v; want 8 and none", len(v.Entries), v.Missing)
	}
}

// The review period of the Terms of Reference marks the entries outside it; the lead
// reviewer gets the chronology only when recorded and vouched for.
func TestChronologyReviewPeriodAndLeadReviewer(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	req, _ := draftCase(t, tr, clock)
	clock.Set("2026-12-09T10:00:00Z")
	agencySends(t, tr, clock, "lead@met.example", req["Metropolitan Police Service"], "p1@met.example",
		scopingAtt("police-return.docx", map[string]string{"child_known": "yes"},
			map[string]string{"date": "2025-01-10", "person": "Mother", "event": "Call about noise"},
			map[string]string{"date": "2026-10-02", "person": "Mother", "event": "Domestic incident"}))
	v, err := tr.Chronology(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range v.Entries {
		if e.Outside {
			t.Errorf("entry %s marked outside a review period there is none of", e.Date)
		}
	}
	db := tr.DB()
	if _, err := db.Exec(`INSERT INTO terms_of_reference(case_id, form_json, status, received_at) VALUES
		((SELECT id FROM cases WHERE ref = 'LSCP-2026-001'), '{"kind":"terms_of_reference","fields":{"review_period_from":"2026-01-01","review_period_to":"2026-12-05"}}', 'confirmed', ?)`, ts(clock.Now())); err != nil {
		t.Fatal(err)
	}
	v, _ = tr.Chronology(ctx, "LSCP-2026-001")
	var marks []string
	for _, e := range v.Entries {
		marks = append(marks, e.Date+":"+map[bool]string{true: "outside", false: "inside"}[e.Outside])
	}
	if got := strings.Join(marks, " "); got != "2025-01-10:outside 2026-10-02:inside 2026-12-05:inside" || v.PeriodFrom != "2026-01-01" || v.PeriodTo != "2026-12-05" || v.PeriodNote != "" {
		t.Errorf("marks = %s, period %q–%q (%q)", got, v.PeriodFrom, v.PeriodTo, v.PeriodNote)
	}

	send := func() string {
		t.Helper()
		inTx(t, tr, func(tx *sql.Tx) (string, error) {
			c, err := loadCase(ctx, tx, "ref = ?", "LSCP-2026-001")
			if err != nil {
				return "", err
			}
			return tr.sendChronology(ctx, tx, clock.Now(), c, "test", "")
		})
		sent := outboxEmails(t, tr, TmplChronology)
		return sent[len(sent)-1].To
	}
	if _, err := db.Exec(`UPDATE cases SET lead_reviewer = 'Jo Reviewer', lead_reviewer_email = 'jo@reviewers.example' WHERE ref = 'LSCP-2026-001'`); err != nil {
		t.Fatal(err)
	}
	if to := send(); to != "strategic.lead@lewisham.gov.uk" {
		t.Errorf("chronology to %q with a lead reviewer nobody vouched for, want staff only", to)
	}
	if _, err := db.Exec(`INSERT INTO case_agencies(case_id, name, email, source) VALUES ((SELECT id FROM cases WHERE ref = 'LSCP-2026-001'), 'Lead reviewer', 'jo@reviewers.example', 'staff')`); err != nil {
		t.Fatal(err)
	}
	if to := send(); to != "strategic.lead@lewisham.gov.uk, jo@reviewers.example" {
		t.Errorf("chronology to %q with a vouched lead reviewer, want staff and the reviewer", to)
	}
	for _, o := range outboxEmails(t, tr, TmplChronology) {
		if o.Status == "held" {
			t.Errorf("chronology to %s held", o.To)
		}
	}
	// The updated copy a later return brings goes to staff alone: nothing outside the
	// partnership by itself.
	clock.Set("2026-12-10T10:00:00Z")
	agencySends(t, tr, clock, "icb@icb.example", req["NHS South East London ICB"], "i1@icb.example",
		scopingAtt("icb-return.docx", map[string]string{"child_known": "yes"}, map[string]string{"date": "2026-11-20", "event": "GP appointment"}))
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	sent := outboxEmails(t, tr, TmplChronology)
	if last := sent[len(sent)-1]; len(sent) != 3 || last.To != "strategic.lead@lewisham.gov.uk" {
		t.Errorf("the updated chronology went to %q (%d sent), want staff alone", last.To, len(sent))
	}
}

// Issue 14.3: when a local review is decided, staff get the Terms of Reference draft once,
// with the agencies that knew the child or family and a timetable from the decision.
func TestToRDraftWhenALocalReviewIsDecided(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	req, _ := draftCase(t, tr, clock)
	clock.Set("2026-12-09T10:00:00Z")
	agencySends(t, tr, clock, "lead@met.example", req["Metropolitan Police Service"], "p1@met.example",
		scopingAtt("police-return.docx", map[string]string{"child_known": "yes", "family_known": "yes"}))
	agencySends(t, tr, clock, "csc@lewisham.gov.uk", req["Lewisham Children's Social Care"], "c1@lewisham.gov.uk",
		scopingAtt("csc-return.docx", map[string]string{"child_known": "no", "family_known": "no"}))
	clock.Set("2026-12-18T12:00:00Z")
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(outboxEmails(t, tr, TmplToRDraft)); n != 0 {
		t.Fatalf("%d Terms of Reference drafts before any decision", n)
	}
	if _, err := tr.Decide(ctx, "LSCP-2026-001", "local", time.Time{}, "test"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := tr.TickMeetings(ctx); err != nil {
			t.Fatal(err)
		}
	}
	drafts := outboxEmails(t, tr, TmplToRDraft)
	if len(drafts) != 1 || drafts[0].To != "strategic.lead@lewisham.gov.uk" {
		t.Fatalf("Terms of Reference drafts = %+v, want one to staff", drafts)
	}
	v := inTx(t, tr, func(tx *sql.Tx) (*ToRDraftView, error) {
		c, err := loadCase(ctx, tx, "ref = ?", "LSCP-2026-001")
		if err != nil {
			return nil, err
		}
		return tr.torDraftView(ctx, tx, c)
	})
	if len(v.Agencies) != 1 || v.Agencies[0].Name != "Metropolitan Police Service" {
		t.Errorf("agencies = %+v, want the police alone (children's social care sent a nil return)", v.Agencies)
	}
	if !strings.Contains(v.IncidentOutline, "Bruising noticed at school in October.") {
		t.Errorf("incident outline = %q", v.IncidentOutline)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	pub, _ := deadlineDue(t, d, "lcspr_publication", "")
	if len(v.Timetable) != 7 || !v.Timetable[6].Due.Equal(pub) || !v.Timetable[5].Due.Before(pub) || !v.Timetable[0].Due.After(mustTime("2026-12-18T12:00:00Z")) {
		t.Errorf("timetable = %+v, want seven rows ending with publication at %s", v.Timetable, pub)
	}
	if got := tr.cal.WorkingDaysAfter(v.Timetable[5].Due, pub); got != 7 {
		t.Errorf("final report %s is %d working days before publication %s, want 7", v.Timetable[5].Due, got, pub)
	}
}

// Issue 14.4: the panel papers go to staff the working day before each panel meeting the
// confirmed timetable names, once, and on "Send panel papers".
func TestPanelPapersBeforeEachPanelMeeting(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	req, _ := draftCase(t, tr, clock)
	clock.Set("2026-12-09T10:00:00Z")
	agencySends(t, tr, clock, "lead@met.example", req["Metropolitan Police Service"], "p1@met.example",
		scopingAtt("police-return.docx", map[string]string{"child_known": "yes"}, map[string]string{"date": "2026-10-02", "person": "Mother", "event": "Call about noise"}))
	clock.Set("2026-12-18T12:00:00Z")
	if _, err := tr.Decide(ctx, "LSCP-2026-001", "local", time.Time{}, "test"); err != nil {
		t.Fatal(err)
	}
	tor := &Form{Kind: "terms_of_reference", Fields: map[string]string{"case_ref": "LSCP-2026-001", "themes": "Bruising in pre-mobile children"},
		Tables: map[string][]map[string]string{"timetable": {
			{"action": "Panel meeting 1", "responsible": "Chair", "date": "2027-02-10"},
			{"action": "Chronologies from agencies", "responsible": "Agencies", "date": "2027-01-29"},
		}, "agencies": {{"agency": "Metropolitan Police Service"}}}}
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", tor, true, "test"); err != nil {
		t.Fatal(err)
	}
	// The police's agency report arrives (in reply to their scoping request: tied by token).
	clock.Set("2027-01-20T10:00:00Z")
	agencySends(t, tr, clock, "lead@met.example", req["Metropolitan Police Service"], "p2@met.example",
		InAttachment{Attachment: Attachment{Name: "police-report.docx", Data: []byte("PK-report")},
			Form: &Form{Kind: FormAgencyReport, Fields: map[string]string{"summary": "Two call-outs in 2026."}}})

	clock.Set("2027-02-09T08:59:00Z")
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(outboxEmails(t, tr, TmplPanelPack)); n != 0 {
		t.Fatalf("%d panel packs before the working day before the meeting", n)
	}
	clock.Set("2027-02-09T09:00:00Z")
	for range 2 {
		if _, err := tr.TickMeetings(ctx); err != nil {
			t.Fatal(err)
		}
	}
	packs := outboxEmails(t, tr, TmplPanelPack)
	if len(packs) != 1 || packs[0].To != "strategic.lead@lewisham.gov.uk" {
		t.Fatalf("panel packs = %+v, want one to staff", packs)
	}
	v, err := tr.PanelPack(ctx, "LSCP-2026-001", "")
	if err != nil {
		t.Fatal(err)
	}
	if v.ToRStatus != "confirmed" || len(v.Timetable) != 2 || len(v.Reports) != 1 || v.Reports[0].Agency != "Metropolitan Police Service" ||
		len(v.Chronology.Entries) == 0 {
		t.Errorf("pack = %+v", v)
	}
	var out []string
	for _, o := range v.Outstanding {
		out = append(out, o)
	}
	if s := strings.Join(out, "\n"); !strings.Contains(s, "Metropolitan Police Service: chronology due 29 January 2027") {
		t.Errorf("outstanding = %s, want the police's chronology", s)
	}
}

// A draft to staff goes as it is past the daily cap (d37359b): the summary of notices that
// gathers staff mail past it carries no documents.
func TestDraftToStaffPastTheDailyCapKeepsItsDocument(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	draftCase(t, tr, clock)
	clock.Set("2026-12-15T09:00:00Z")
	if _, err := tr.DB().Exec(`INSERT INTO address_days_counted(day) VALUES ('2026-12-15') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.DB().Exec(`INSERT INTO address_day(address, day, n) VALUES ('strategic.lead@lewisham.gov.uk', '2026-12-15', ?)
		ON CONFLICT(address, day) DO UPDATE SET n = excluded.n`, MaxPerAddressPerDay+5); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	drafts := outboxEmails(t, tr, TmplRRDraft)
	if len(drafts) != 1 || drafts[0].Status != "queued" {
		t.Fatalf("report draft past the cap = %+v, want queued as it is", drafts)
	}
}

// Within a day, entries are in time order where the date cell gave a time (the parser's
// <column>_time), those without one first, as the agencies sent them.
func TestChronologyTimeOfDayOrder(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	req, _ := draftCase(t, tr, clock)
	clock.Set("2026-12-09T10:00:00Z")
	agencySends(t, tr, clock, "lead@met.example", req["Metropolitan Police Service"], "p1@met.example",
		chronologyAtt("police-chronology.docx", "ET",
			map[string]string{"date": "2026-11-01", "date_time": "18:05", "sender": "Control room", "comms_within": "Second call"},
			map[string]string{"date": "2026-11-01", "date_time": "9.30", "sender": "Control room", "comms_within": "First call"},
			map[string]string{"date": "2026-11-01", "sender": "PC Jones", "comms_within": "Note written up"}))
	v, err := tr.Chronology(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range v.Entries {
		if e.Date == "2026-11-01" {
			got = append(got, e.Time+" "+e.What)
		}
	}
	want := []string{" Within agency: Note written up", "09:30 Within agency: First call", "18:05 Within agency: Second call"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries of 1 Nov = %q, want %q", got, want)
	}
}

// In a local review the combined chronology waits for the chronologies asked of agencies
// (Appendix 10), not for the Rapid Review's scoping forms: an agency whose scoping form
// never came but whose chronology is in is not "not yet received", and one whose
// chronology is still awaited (or sent back for more) is.
func TestChronologyMissingCountsTheLocalReviewsChronologies(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	draftCase(t, tr, clock)
	clock.Set("2027-01-20T10:00:00Z")
	db := tr.DB()
	var scoping []string
	rows, err := db.Query(`SELECT agency FROM returns WHERE kind = 'scoping' AND status != 'received' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		rows.Scan(&a)
		scoping = append(scoping, a)
	}
	rows.Close()
	if len(scoping) < 2 {
		t.Fatalf("want at least two agencies whose scoping form never came, have %v", scoping)
	}
	in, out := scoping[0], scoping[1]
	add := func(agency, status string) {
		t.Helper()
		if _, err := db.Exec(`INSERT INTO returns(case_id, agency, email, requested_at, due_at, status, kind, received_at)
			VALUES ((SELECT id FROM cases WHERE ref = 'LSCP-2026-001'), ?, 'x@agency.example', '2027-01-11T10:00:00Z', '2027-01-25T17:00:00Z', ?, 'chronology',
			CASE WHEN ? = 'received' THEN '2027-01-19T10:00:00Z' END)`, agency, status, status); err != nil {
			t.Fatal(err)
		}
	}
	add(in, "received")
	add(out, "awaiting")
	v, err := tr.Chronology(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v.Missing, []string{out}) {
		t.Errorf("not yet received from %q, want only %q (its chronology awaited; %q's is in)", v.Missing, out, in)
	}
}
