package tracker

import (
	"context"
	"strings"
	"testing"
)

// Issue 10, second reader: defects in the local review fixed; each test moved here out of
// the reader10 build tag so that it guards for good.

// Recommendation c opens the lighter track, "the same requests and chasing, no notices to
// national bodies". "Publication delay: REASON" on such a case prepares the notice to the
// National Panel and the Secretary of State that a local review's publication will be
// late (there is no local review and no six-month clock), and "Approve" sends it.
func TestReader10AlternativeReviewGetsALateLocalReviewNotice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "c")
	clock.Set("2027-03-01T10:00:00Z")
	deliver(t, tr, staffMail(clock, "alt-delay@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Publication delay: the learning review report is late"))
	_, _ = tr.ApproveWhat(ctx, "LSCP-2026-001", "", "command line")
	for _, o := range nationalRows(t, tr) {
		if o.Kind == TmplNationalNotice {
			t.Errorf("an alternative learning review (recommendation c) has a %s to %s (%s)", o.Kind, o.To, o.Status)
		}
	}
}

// An address typed into a form receives nothing and is shown to staff as a suggestion.
// The Terms of Reference's "Lead reviewer email" (here a family member's address) is not
// shown to the staff member who sends and confirms them (the reply says only "Lead
// reviewer: Jo Reviewer"), yet the notice to the National Panel, Ofsted and the DfE
// names it as the lead reviewer's address: the national bodies are given, as the person
// to contact, an address nobody vouched for.
func TestReader10ToRReviewerAddressGoesToNationalBodiesUnseen(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newWhyTracker(t, clock)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	f := torV("2027-01-25", true, "Met Police")
	f.Fields["lead_reviewer_email"] = "ellie.testcase.mum@gmail.example"
	res, err := tr.TermsOfReference(ctx, "LSCP-2026-001", f, true, "command line")
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(ToRDone(res, tr.cal.Location()), "\n")
	for _, o := range outboxEmails(t, tr, TmplNationalNotice) {
		if strings.Contains(o.Email.Text, "reviewer_email=ellie.testcase.mum@gmail.example") {
			seen := strings.Contains(said, "ellie.testcase.mum@gmail.example")
			t.Errorf("the lead reviewer notice to %s (%s) gives the national bodies an address typed into the Terms of Reference, never vouched for (shown to the staff member who confirmed them: %v)", o.To, o.Status, seen)
		}
	}
}

// The lead reviewer notice is approved and queued. The Terms of Reference then name the
// same reviewer with a title ("Dr Jo Reviewer"): a second lead reviewer notice is
// prepared (the check against sending it twice compares names letter for letter), and
// the next plain "Approve" (meant for the final report) sends the National Panel, Ofsted
// and the DfE the same appointment again.
func TestReader10SameReviewerWithATitleIsNotifiedTwice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newWhyTracker(t, clock)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Jo Reviewer", "", "command line"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "reviewer", "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-05T10:00:00Z")
	f := torV("2027-01-25", true, "Met Police")
	f.Fields["lead_reviewer"] = "Dr Jo Reviewer"
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", f, true, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-05-03T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.docx", Data: []byte("PK-final")}, mustTime("2027-06-10T00:00:00Z"), false, "command line"); err != nil {
		t.Fatal(err)
	}
	out, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "", "command line")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range outboxEmails(t, tr, TmplNationalNotice) {
		if strings.Contains(o.Email.Text, "notice="+NoticeReviewer) && (o.Status == "queued" || o.Status == "sent") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the lead reviewer notice for the same reviewer queued %d times (the last Approve said: %s)", n, out)
	}
}

// The same lead reviewer with or without a title, in other case or punctuation, is one
// person; another name is another reviewer, who gets a notice of their own.
func TestSameReviewerIgnoresTitles(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"Jo Reviewer", "Dr Jo Reviewer", true},
		{"Jo Reviewer", "Dr. Jo  Reviewer", true},
		{"Prof. Jo Reviewer", "jo reviewer", true},
		{"Mrs J. O'Neill", "Ms J O Neill", true},
		{"Jo Reviewer", "Sam Reviewer", false},
		{"Dr Jo Reviewer", "Dr Sam Reviewer", false},
		{"Miss", "Ms", false},
	} {
		if got := sameReviewer(c.a, c.b); got != c.want {
			t.Errorf("sameReviewer(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// A different lead reviewer after the notice was approved prepares a new notice.
func TestAnotherReviewerAfterTheNoticeIsNotifiedAgain(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newWhyTracker(t, clock)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Jo Reviewer", "", "command line"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "reviewer", "command line"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Dr Jo Reviewer", "", "command line"); err == nil {
		t.Errorf("SetReviewer(Dr Jo Reviewer) after Jo Reviewer's notice was approved = nil error, want refused (not sent twice)")
	}
	if _, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Dr Sam Other", "sam@lewisham.gov.uk", "command line"); err != nil {
		t.Fatalf("SetReviewer(another reviewer) = %v, want a new notice", err)
	}
	n := 0
	for _, o := range outboxEmails(t, tr, TmplNationalNotice) {
		if strings.Contains(o.Email.Text, "notice="+NoticeReviewer) && o.Status == "awaiting_approval" && strings.Contains(o.Email.Text, "reviewer_email=sam@lewisham.gov.uk") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("a new lead reviewer's notice waiting for approval, with the address staff gave: %d, want 1", n)
	}
}

// "Final report: publish DATE" takes the first attachment that is not a Terms of
// Reference or a Rapid Review report. An Outlook message carries its signature's logo
// (image001.png, multipart/related inside the body) before the attached report: the
// logo becomes "the final report" held for the National Panel, Ofsted and the DfE, and
// the answer to staff does not say which file it took.
func TestReader10FinalReportTakesTheSignatureLogo(t *testing.T) {
	clock := &testClock{}
	tr := newWhyTracker(t, clock)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-05-03T10:00:00Z")
	in := staffMail(clock, "final-logo@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Final report: publish 2027-06-30")
	in.Attachments = []InAttachment{
		{Attachment: Attachment{Name: "image001.png", ContentType: "image/png", Data: []byte("\x89PNG logo")}},
		{Attachment: Attachment{Name: "LSCP-2026-001 final report.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: []byte("PK-final-report")}},
	}
	deliver(t, tr, in)
	for _, o := range outboxEmails(t, tr, TmplNationalNotice) {
		if !strings.Contains(o.Email.Text, "notice="+NoticeFinalReport) {
			continue
		}
		var names []string
		for _, a := range o.Email.Attachments {
			names = append(names, a.Name)
		}
		if !strings.Contains(strings.Join(names, ","), "final report.docx") {
			cr := outboxEmails(t, tr, TmplCommandReply)
			t.Errorf("the final report copies to %s carry %v, not the report; staff were told: %s", o.To, names, firstLine(cr[len(cr)-1].Email.Text[strings.Index(cr[len(cr)-1].Email.Text, "\"Final"):]))
		}
	}
}

// The final report is the one report document attached (by name or type), never an
// image; none or several are refused with the files named.
func TestFinalReportAttachmentChoosesTheDocument(t *testing.T) {
	att := func(name, ct string) InAttachment {
		return InAttachment{Attachment: Attachment{Name: name, ContentType: ct, Data: []byte("x")}}
	}
	for _, c := range []struct {
		name    string
		in      []InAttachment
		want    string // the file taken; "" refused
		refusal []string
	}{
		{"logo first", []InAttachment{att("image001.png", "image/png"), att("Final report.docx", "")}, "Final report.docx", nil},
		{"pdf by type", []InAttachment{att("image002.jpg", "image/jpeg"), att("report", "application/pdf")}, "report", nil},
		{"odt", []InAttachment{att("Report.ODT", "")}, "Report.ODT", nil},
		{"ToR beside it", []InAttachment{{Attachment: Attachment{Name: "tor.docx", Data: []byte("x")}, Form: &Form{Kind: FormTermsOfReference}}, att("final.pdf", "")}, "final.pdf", nil},
		{"two documents", []InAttachment{att("final.docx", ""), att("appendix.pdf", "")}, "", []string{"final.docx", "appendix.pdf"}},
		{"only a logo", []InAttachment{att("image001.png", "image/png")}, "", []string{"image001.png"}},
		{"a spreadsheet named as pdf type", []InAttachment{att("plan.xlsx", "application/pdf")}, "", []string{"plan.xlsx"}},
		{"nothing", nil, "", []string{"attach the final report"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := finalReportAttachment(&Incoming{Attachments: c.in})
			if c.want != "" {
				if err != nil || got.Name != c.want {
					t.Fatalf("finalReportAttachment = %v, %v, want %s", got, err, c.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("finalReportAttachment = %s, want refused", got.Name)
			}
			for _, w := range c.refusal {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("refusal %q does not name %s", err, w)
				}
			}
		})
	}
}

// The learning event invitation says: reply with "I would like to attend". An agency
// answers that nobody can come, quoting the invitation under its reply as every mail
// client does: the quoted "I would like to attend" (and "who will attend") make it a
// registration. The agency is counted as coming, and its answer reaches nobody.
func TestReader10QuotedInvitationRegistersADecline(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	reader10Learning(t, tr, clock)
	inv := reader10InviteTo(t, tr, "csc@lewisham.gov.uk")
	clock.Set("2027-01-12T11:00:00Z")
	uidSeq++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "csc-decline@lewisham.gov.uk",
		From: "csc@lewisham.gov.uk", Subject: "RE: [LSCP-2026-001] Practitioner learning event", InReplyTo: inv.MessageID,
		Text: "Unfortunately none of our social workers is free that day, so we cannot come.\n\n" +
			"From: safeguardingpartnership@lewisham.gov.uk\nSent: 05 January 2027 10:00\nSubject: [LSCP-2026-001] Practitioner learning event\n\n" +
			"> To tell us who will attend, accept the calendar invitation, or reply to this email with \"I would like to attend\" and the name of each person coming.\n"})
	var answer string
	_ = tr.DB().QueryRow(`SELECT answer FROM learning_replies WHERE attendee = 'csc@lewisham.gov.uk'`).Scan(&answer)
	if answer == "REGISTERED" {
		t.Errorf("a reply saying nobody can come, quoting the invitation, is recorded as a registration (coming)")
	}
}

// The learning event invitation, forwarded to a family member, answered "I would like to
// attend" from the family's own address: csprbot records the family member as registered
// and counts them as coming (the calendar-reply route refuses anyone not invited), and
// nobody is told. Practitioners' learning events are not for families (they are told by
// the lead reviewer's letter, Appendix 7).
func TestReader10UninvitedRegistrationIsCountedSilently(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	reader10Learning(t, tr, clock)
	inv := reader10InviteTo(t, tr, "lead@met.example")
	before := len(outboxEmails(t, tr, ""))
	clock.Set("2027-01-12T11:00:00Z")
	uidSeq++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "mum@gmail.example",
		From: "Ellie's mum <ellie.testcase.mum@gmail.example>", Subject: "Fwd: learning event", References: []string{inv.MessageID},
		Text: "I would like to attend. I am Ellie Testcase's mother."})
	after := outboxEmails(t, tr, "")[before:]
	for _, o := range after {
		if strings.Contains(o.To, "gmail.example") {
			t.Errorf("%s queued to the family's address (%s)", o.Kind, o.Status)
		}
	}
	var n int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM learning_replies WHERE attendee = 'ellie.testcase.mum@gmail.example' AND answer = 'REGISTERED'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 && len(after) == 0 {
		t.Errorf("a registration from an address never invited (a family member) is counted as coming, and nobody is told")
	}
}

// A learning event set two days ahead: everyone invited gets the invitation, and half an
// hour later, at the next round, "a reminder" of it, the same day (the reminder goes
// whenever the event is a week away or less, however recently the invitation went);
// two automatic messages to one address about one case on one day.
func TestReader10LearningReminderMinutesAfterTheInvitation(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T09:30:00Z")
	if _, err := tr.SetLearningEvent(ctx, "LSCP-2026-001", mustTime("2027-01-06T10:00:00Z"), "Laurence House", "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.TickLCSPR(ctx); err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, o := range outboxEmails(t, tr, TmplLearningInvite) {
		per[o.To]++
	}
	for to, n := range per {
		if n > 1 {
			t.Errorf("%s got %d learning event emails on Mon 4 Jan (the invitation, and a reminder of it 30 minutes later)", to, n)
		}
	}
}

// An answer to a learning event invitation is read in the sender's own words: coming,
// not coming, or neither.
func TestLearningAnswerOf(t *testing.T) {
	quoted := "\n\n> reply to this email with \"I would like to attend\" and the name of each person coming.\n"
	for _, c := range []struct{ text, want string }{
		{"I would like to attend: Sam Smith, social worker.", "REGISTERED"},
		{"Apologies for the late reply, I would like to attend.", "REGISTERED"},
		{"Unfortunately we cannot come." + quoted, "DECLINED"},
		{"Sorry, I am unable to attend." + quoted, "DECLINED"},
		{"I will not attend, I'm on leave.", "DECLINED"},
		{"Please send my apologies." + quoted, "DECLINED"},
		{"Apologies, on leave that week." + quoted, "DECLINED"},
		{"Thanks, noted." + quoted, ""},
		{"Is there parking at Laurence House?" + quoted, ""},
	} {
		if got := learningAnswerOf(c.text); got != c.want {
			t.Errorf("learningAnswerOf(%q) = %q, want %q", firstLine(c.text), got, c.want)
		}
	}
}

// An event set a month ahead: its invitees are reminded a week before.
func TestLearningReminderAWeekBefore(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	reader10Learning(t, tr, clock)
	before := len(outboxEmails(t, tr, TmplLearningInvite))
	clock.Set("2027-03-03T10:00:00Z")
	if _, err := tr.TickLCSPR(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(outboxEmails(t, tr, TmplLearningInvite)) - before; n == 0 {
		t.Errorf("no reminder on Wed 3 Mar of the learning event on Wed 10 Mar, invited on 5 Jan")
	}
}

// "Look before it counts": a form printed with another case's reference or naming
// another child is held for a person. An action plan printed with another case's
// reference (LSCP-2026-007), attached by staff on LSCP-2026-001's thread, is read as
// this case's: its actions' evidence is asked of their owners about this case.
func TestReader10ActionPlanOfAnotherCaseIsApplied(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-06-10T10:00:00Z")
	in := staffMail(clock, "plan-007@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "The action plan.")
	in.Attachments = []InAttachment{{Attachment: Attachment{Name: "LSCP-2026-007 action plan.docx", Data: []byte("PK")},
		Form: &Form{Kind: FormActionPlan, CaseRef: "LSCP-2026-007", Fields: map[string]string{"case_ref": "LSCP-2026-007", "child_initials": "RM"},
			Tables: map[string][]map[string]string{"actions": {{"action": "Review the school's attendance follow-up", "owner": "Met Police", "due": "2027-07-30"}}}}}}
	deliver(t, tr, in)
	var n int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM returns WHERE kind = 'action_evidence'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		t.Errorf("an action plan printed for LSCP-2026-007 (child RM) was applied to LSCP-2026-001: %d actions' evidence asked", n)
	}
	told := false
	for _, o := range outboxEmails(t, tr, TmplCommandReply) {
		told = told || strings.Contains(o.Email.Text, "LSCP-2026-007")
	}
	if !told {
		t.Errorf("the staff member who sent another case's action plan is not told why it was not used")
	}
}

// An action owner answers the request for evidence: "Could we have until the end of
// September? We have not started this yet." No document, nothing evidenced: yet the
// action is recorded as evidenced ("received"), chasing stops, and the MESI subgroup is
// asked to sign off evidence that does not exist. (A scoping return with no answer is not
// a return, and "anything else goes to a person"; here anything at all is evidence.)
func TestReader10AnyReplyFromAnOwnerCountsAsEvidence(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) { c.Addresses.MESI = "mesi@lewisham.gov.uk" })
	toApproved(t, tr, clock, "b")
	clock.Set("2027-06-10T10:00:00Z")
	plan := &Form{Kind: FormActionPlan, CaseRef: "LSCP-2026-001", Tables: map[string][]map[string]string{"actions": {
		{"action": "Refresh the multi-agency training on information sharing", "owner": "Met Police", "due": "2027-07-30"}}}}
	if _, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line"); err != nil {
		t.Fatal(err)
	}
	req := outboxEmails(t, tr, TmplLCSPRRequest)
	clock.Set("2027-06-14T10:00:00Z")
	uidSeq++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "met-extension@met.example",
		From: "lead@met.example", Subject: "RE: " + req[len(req)-1].Email.Subject, InReplyTo: req[len(req)-1].MessageID,
		Text: "Could we have until the end of September? We have not started this yet."})
	var st string
	if err := tr.DB().QueryRow(`SELECT status FROM returns WHERE kind = 'action_evidence'`).Scan(&st); err != nil {
		t.Fatal(err)
	}
	signoff := outboxEmails(t, tr, TmplActionSignOff)
	if st == "received" || len(signoff) > 0 {
		t.Errorf("a request for more time, with no document, counted as the action's evidence: status %s, %d sign-off requests to the MESI subgroup", st, len(signoff))
	}
}

// The police's chronology is late when the action plan arrives; the police own one
// action. Their chronology then comes, in reply to the chronology request: it is filed as
// the evidence for their action (their only open one) and sent to the MESI subgroup to
// sign off; the chronology stays awaited and chased.
func TestReader10LateChronologyIsFiledAsActionEvidence(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) { c.Addresses.MESI = "mesi@lewisham.gov.uk" })
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.RequestReturns(ctx, "LSCP-2026-001", ReturnChronology, []string{"Met Police"}, mustTime("2027-01-25T00:00:00Z"), "command line"); err != nil {
		t.Fatal(err)
	}
	chronReq := outboxEmails(t, tr, TmplLCSPRRequest)[0]
	clock.Set("2027-06-10T10:00:00Z")
	plan := &Form{Kind: FormActionPlan, CaseRef: "LSCP-2026-001", Tables: map[string][]map[string]string{"actions": {
		{"action": "Refresh the multi-agency training on information sharing", "owner": "Met Police", "due": "2027-07-30"}}}}
	if _, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-06-14T10:00:00Z")
	uidSeq++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "met-late-chron@met.example",
		From: "lead@met.example", Subject: "RE: " + chronReq.Email.Subject, InReplyTo: chronReq.MessageID, Text: "Our chronology, with apologies for the delay.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "chronology.docx", Data: []byte("PK")}, Form: &Form{Kind: FormChronology, Fields: map[string]string{"agency": "Metropolitan Police Service"}}}}})
	var chron, ev string
	if err := tr.DB().QueryRow(`SELECT status FROM returns WHERE kind = 'chronology'`).Scan(&chron); err != nil {
		t.Fatal(err)
	}
	if err := tr.DB().QueryRow(`SELECT status FROM returns WHERE kind = 'action_evidence'`).Scan(&ev); err != nil {
		t.Fatal(err)
	}
	if chron != "received" || ev == "received" {
		t.Errorf("a late chronology sent in reply to the chronology request: chronology %s, the action's evidence %s (%d sign-off requests to the MESI subgroup)", chron, ev, len(outboxEmails(t, tr, TmplActionSignOff)))
	}
}

// An owner's own words are evidence only when they say plainly that the action is done.
func TestSaysDone(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"The training was delivered on 3 July to all 40 officers.", true},
		{"Completed: the new procedure is in place.", true},
		{"Could we have until the end of September? We have not started this yet.", false},
		{"This will be completed by the end of August.", false},
		{"Is it done?", false},
		{"Thanks, noted.", false},
	} {
		if got := saysDone(c.text); got != c.want {
			t.Errorf("saysDone(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// An owner who answers the evidence request that the action is done, with no document,
// has evidenced it; one asking for more time has not, and staff are told.
func TestActionEvidenceInWordsAndAQuestion(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		text      string
		want      string
		staffTold bool
	}{
		{"The training was delivered on 3 July to all 40 officers.", "received", false},
		{"Could we have until the end of September? We have not started this yet.", "awaiting", true},
	} {
		t.Run(c.want, func(t *testing.T) {
			clock := &testClock{}
			tr := newRRTracker(t, clock, func(c *Config) { c.Addresses.MESI = "mesi@lewisham.gov.uk" })
			toApproved(t, tr, clock, "b")
			clock.Set("2027-06-10T10:00:00Z")
			plan := &Form{Kind: FormActionPlan, CaseRef: "LSCP-2026-001", Tables: map[string][]map[string]string{"actions": {
				{"action": "Refresh the multi-agency training on information sharing", "owner": "Met Police", "due": "2027-07-30"}}}}
			if _, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line"); err != nil {
				t.Fatal(err)
			}
			req := outboxEmails(t, tr, TmplLCSPRRequest)
			before := len(outboxEmails(t, tr, TmplStaffAttention))
			clock.Set("2027-07-14T10:00:00Z")
			uidSeq++
			deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "met-words@met.example",
				From: "lead@met.example", Subject: "RE: " + req[len(req)-1].Email.Subject, InReplyTo: req[len(req)-1].MessageID, Text: c.text})
			var st string
			if err := tr.DB().QueryRow(`SELECT status FROM returns WHERE kind = 'action_evidence'`).Scan(&st); err != nil {
				t.Fatal(err)
			}
			if st != c.want {
				t.Errorf("action evidence after %q: %s, want %s", c.text, st, c.want)
			}
			if told := len(outboxEmails(t, tr, TmplStaffAttention)) > before; told != c.staffTold {
				t.Errorf("staff told after %q: %v, want %v", c.text, told, c.staffTold)
			}
		})
	}
}
