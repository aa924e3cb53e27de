package templates

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Names in the fixture that must never reach a subject.
const (
	childName     = "Tyler Brookes"
	motherName    = "Donna Brookes"
	referrerName  = "Priya Okonkwo"
	referrerEmail = "priya.okonkwo@school.example"
)

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, mustLondon())
}

// fixture is a case in scoping: referral on Tuesday 1 December 2026, requests on
// Thursday 3 December, returns due at 17:00 on Friday 11 December.
func fixture() *cspr.MailData {
	due := at(2026, 12, 11, 17, 0)
	police := cspr.AgencyView{Name: "Metropolitan Police Service", Email: "safeguarding.lead@met.example", Partner: "police", Known: true, Reason: "Police attended the family home in October"}
	c := cspr.CaseView{
		Ref: "LSCP-2026-001", ChildInitials: "TB", Stage: "scoping",
		ReferralReceived: at(2026, 12, 1, 10, 15),
		IncidentDate:     "2026-11-28", IncidentKind: "serious_harm", LookedAfter: false,
		ReferrerName: referrerName, ReferrerAgency: "Lewisham Primary School, Designated Safeguarding Lead", ReferrerEmail: referrerEmail,
		Summary: []cspr.Field{
			{Label: "Name of Child", Value: childName},
			{Label: "Date of Birth", Value: "2019-04-02"},
			{Label: "Home address", Value: "12 Example Road\nLondon SE6 0XX"},
			{Label: "Family", Value: motherName + " (mother)"},
			{Label: "Reason for referral", Value: "Serious injury while in the care of a family member."},
		},
		Agencies: []cspr.AgencyView{
			{Name: "Lewisham Children's Social Care", Email: "csc.lead@lewisham.example", Partner: "local_authority", Known: true, Reason: "Statutory partner"},
			police,
			{Name: "South London and Maudsley NHS Trust", Email: "safeguarding@slam.example", Partner: "health", Known: true},
			{Name: "Bellingham Boxing Club", Reason: "Child attended weekly"},
		},
		Deadlines: []cspr.DeadlineView{
			{Rule: "panel_notification", Label: "National Panel notified", Due: at(2026, 12, 8, 17, 0), Status: "met"},
			{Rule: "scoping_sent", Label: "Scoping forms sent to agencies", Due: at(2026, 12, 3, 17, 0), Status: "met"},
			{Rule: "scoping_return", Label: "Scoping return (Metropolitan Police Service)", Due: due, Status: "pending"},
			{Rule: "rr_meeting", Label: "Rapid Review meeting", From: at(2026, 12, 10, 9, 0), Due: at(2026, 12, 18, 17, 0), Status: "pending"},
			{Rule: "rr_submission", Label: "Rapid Review report to the National Panel", Due: at(2026, 12, 21, 17, 0), Status: "pending"},
		},
		Returns: []cspr.ReturnView{
			{Agency: "Lewisham Children's Social Care", Status: "received", Due: due, ReceivedAt: at(2026, 12, 9, 14, 30), RAG: "green"},
			{Agency: "Metropolitan Police Service", Status: "overdue", Due: due, ChasersSent: 1, RAG: "red"},
			{Agency: "South London and Maudsley NHS Trust", Status: "awaiting", Due: due, RAG: "amber"},
		},
		Warnings: []string{"date of referral missing"},
	}
	return &cspr.MailData{
		Partnership: cspr.Partnership{
			Name: "Lewisham Safeguarding Children Partnership", Short: "LSCP",
			Email: "safeguardingpartnership@lewisham.gov.uk", Phone: "020 8314 3396",
			Address: "1st Floor, Laurence House, 1 Catford Road, SE6 4RU", Website: "www.safeguardinglewisham.org.uk",
			Contact: "Sam Partnership-Officer", Signer: "Strategic Safeguarding Lead",
		},
		Case: c, Agency: police, Now: at(2026, 12, 3, 9, 30), Due: due,
		Form: cspr.FormView{CaseRef: c.Ref, ChildInitials: c.ChildInitials, ReturnBy: due, AgencyName: police.Name},
	}
}

type goldenCase struct {
	golden string
	tmpl   string
	edit   func(d *cspr.MailData)
}

var goldenCases = []goldenCase{
	{"lcspr_request_chronology", cspr.TmplLCSPRRequest, func(d *cspr.MailData) {
		d.Due = at(2027, 2, 5, 17, 0)
		d.LCSPR = &cspr.LCSPRView{Kind: cspr.ReturnChronology, KindLabel: cspr.ReturnKindLabel(cspr.ReturnChronology)}
	}},
	{"lcspr_request_agency_report_more", cspr.TmplLCSPRRequest, func(d *cspr.MailData) {
		d.Due = at(2027, 2, 19, 17, 0)
		d.LCSPR = &cspr.LCSPRView{Kind: cspr.ReturnAgencyReport, KindLabel: cspr.ReturnKindLabel(cspr.ReturnAgencyReport), More: "the analysis of the October home visit is missing"}
	}},
	{"lcspr_request_chaser", cspr.TmplLCSPRRequest, func(d *cspr.MailData) {
		d.Due, d.Chaser, d.Now = at(2027, 2, 5, 17, 0), 2, at(2027, 2, 9, 9, 0)
		d.LCSPR = &cspr.LCSPRView{Kind: cspr.ReturnChronology, KindLabel: cspr.ReturnKindLabel(cspr.ReturnChronology)}
	}},
	{"national_notice_reviewer", cspr.TmplNationalNotice, func(d *cspr.MailData) {
		d.LCSPR = &cspr.LCSPRView{Notice: cspr.NoticeReviewer, Reviewer: "Jo Reviewer", ReviewerEmail: "jo.reviewer@example.org", DecisionAt: at(2026, 12, 22, 12, 0)}
	}},
	{"lcspr_request_action_evidence", cspr.TmplLCSPRRequest, func(d *cspr.MailData) {
		d.Due = at(2027, 9, 30, 17, 0)
		d.LCSPR = &cspr.LCSPRView{Kind: cspr.ReturnActionEvidence, KindLabel: cspr.ReturnKindLabel(cspr.ReturnActionEvidence), Item: "A2: Refresh the multi-agency training on information sharing"}
	}},
	{"action_signoff", cspr.TmplActionSignOff, func(d *cspr.MailData) {
		d.Lines = []string{"From: safeguarding.lead@met.example", "Their message: Training delivered on 12 September; attendance list attached."}
		d.LCSPR = &cspr.LCSPRView{Kind: cspr.ReturnActionEvidence, Item: "A2: Refresh the multi-agency training on information sharing", Key: "A2"}
	}},
	{"national_notice_nspcc", cspr.TmplNationalNotice, func(d *cspr.MailData) {
		d.LCSPR = &cspr.LCSPRView{Notice: cspr.NoticeNSPCC, PublishOn: at(2027, 6, 3, 17, 0), URL: "https://www.safeguardinglewisham.org.uk/cspr/tb"}
	}},
	{"national_notice_delay", cspr.TmplNationalNotice, func(d *cspr.MailData) {
		d.LCSPR = &cspr.LCSPRView{Notice: cspr.NoticeDelay, DecisionAt: at(2026, 12, 17, 10, 0), PublishOn: at(2027, 7, 15, 0, 0), Why: "a parallel criminal trial is listed for June"}
	}},
	{"learning_invite", cspr.TmplLearningInvite, func(d *cspr.MailData) {
		start := at(2027, 3, 10, 10, 0)
		d.Due = start
		d.RR = &cspr.RRView{Meeting: start, MeetingEnd: start.Add(4 * time.Hour), Location: "Laurence House, Catford",
			Event: &cspr.EventView{UID: "learning-event-lscp-2026-001@lewisham.gov.uk", Method: "REQUEST", Start: start, End: start.Add(4 * time.Hour),
				Summary: "Practitioner learning event LSCP-2026-001 (TB)", Location: "Laurence House, Catford", Organizer: "safeguardingpartnership@lewisham.gov.uk",
				Attendees: []string{"safeguarding.lead@met.example"}, Stamp: at(2027, 1, 20, 9, 0)}}
		d.LCSPR = &cspr.LCSPRView{Venue: "Laurence House, Catford", Panel: []string{"A. Chair, Chair (Lewisham Safeguarding Children Partnership)", "B. Officer, Detective Inspector (Metropolitan Police Service)"}}
	}},
	{"family_letter", cspr.TmplFamilyLetter, func(d *cspr.MailData) {
		d.Case.Stage = "lcspr"
		d.LCSPR = &cspr.LCSPRView{Reviewer: "Jo Reviewer"}
	}},
	{"learning_invite_cancelled", cspr.TmplLearningInvite, func(d *cspr.MailData) {
		start := at(2027, 3, 10, 10, 0)
		d.Due, d.Reason, d.Now = start, "cancelled", at(2027, 3, 1, 9, 0)
		d.RR = &cspr.RRView{Meeting: start, MeetingEnd: start.Add(4 * time.Hour), Location: "Laurence House, Catford",
			Event: &cspr.EventView{UID: "learning-event-lscp-2026-001@lewisham.gov.uk", Sequence: 1, Method: "CANCEL", Start: start, End: start.Add(4 * time.Hour),
				Summary: "Practitioner learning event LSCP-2026-001 (TB)", Location: "Laurence House, Catford", Organizer: "safeguardingpartnership@lewisham.gov.uk",
				Attendees: []string{"safeguarding.lead@met.example"}, Stamp: at(2027, 3, 1, 9, 0)}}
		d.LCSPR = &cspr.LCSPRView{Venue: "Laurence House, Catford"}
	}},
	{"learning_invite_reminder", cspr.TmplLearningInvite, func(d *cspr.MailData) {
		start := at(2027, 3, 10, 10, 0)
		d.Due, d.Reason, d.Now = start, "reminder", at(2027, 3, 3, 9, 0)
		d.RR = &cspr.RRView{Meeting: start, MeetingEnd: start.Add(4 * time.Hour)}
		d.LCSPR = &cspr.LCSPRView{Venue: "https://teams.example/meet/123"}
	}},
	{"digest_local_review", cspr.TmplDigest, func(d *cspr.MailData) {
		d.Now = at(2027, 2, 8, 8, 0)
		d.Case, d.Agency = cspr.CaseView{}, cspr.AgencyView{}
		c := fixture().Case
		c.Stage, c.Returns = "lcspr", nil
		d.Digest = &cspr.DigestView{WeekFrom: at(2027, 2, 1, 0, 0), WeekTo: at(2027, 2, 8, 0, 0), Cases: []cspr.CaseView{c},
			LocalReviews: []string{"LSCP-2026-001: learning event 10:00 Wed 10 Mar 2027 at Laurence House, Catford (set): 2 coming (csc.safeguarding@lewisham.gov.uk, safeguarding.lead@met.example)"}}
	}},
	{"lcspr_received", cspr.TmplLCSPRReceived, func(d *cspr.MailData) {
		d.Reason, d.LCSPR = "chronology", &cspr.LCSPRView{Kind: cspr.ReturnChronology}
	}},
	{"lcspr_escalation", cspr.TmplLCSPREscalate, func(d *cspr.MailData) {
		d.Chaser, d.Now = 2, at(2027, 2, 2, 9, 0)
		d.Reason = "Metropolitan Police Service has not returned what was asked after two chasers."
		d.Lines = []string{"Metropolitan Police Service: chronology due 17:00 Mon 25 Jan 2027, 2 chasers sent"}
	}},
	{"national_notice_final_report", cspr.TmplNationalNotice, func(d *cspr.MailData) {
		d.LCSPR = &cspr.LCSPRView{Notice: cspr.NoticeFinalReport, PublishOn: at(2027, 6, 10, 10, 0), ReportName: "LSCP-2026-001 final report.docx"}
	}},
	{"ack_referrer", cspr.TmplAckReferrer, nil},
	{"ack_referrer_incomplete", cspr.TmplAckReferrer, func(d *cspr.MailData) { d.Case.NeedsCompletion = true; d.Case.ReferrerName = "" }},
	{"staff_new_referral", cspr.TmplStaffNewReferral, nil},
	{"staff_new_referral_lac_death", cspr.TmplStaffNewReferral, func(d *cspr.MailData) {
		d.Case.LookedAfter, d.Case.IncidentKind, d.Case.NeedsCompletion = true, "death", true
	}},
	{"scoping_request", cspr.TmplScopingRequest, func(d *cspr.MailData) { d.Form = cspr.FormView{} }},
	{"return_received", cspr.TmplReturnReceived, func(d *cspr.MailData) { d.Reason = "scoping return received" }},
	{"return_empty", cspr.TmplReturnEmpty, nil},
	{"staff_attention", cspr.TmplStaffAttention, func(d *cspr.MailData) {
		d.Reason = "Metropolitan Police Service sent a further return; it is recorded on the case."
		d.Lines = []string{"From: safeguarding.lead@met.example", "Attachment: return.docx (scoping_return)"}
	}},
	{"staff_attention_no_case", cspr.TmplStaffAttention, func(d *cspr.MailData) {
		d.Case, d.Agency = cspr.CaseView{}, cspr.AgencyView{}
		d.Reason = "An email from an address csprbot does not know, with no case reference."
		d.Lines = []string{"From: someone@unknown.example", "Attachment: form.pdf (could not be read: encrypted)"}
	}},
	{"reminder", cspr.TmplReminder, nil},
	{"chaser_1", cspr.TmplChaser, func(d *cspr.MailData) { d.Chaser = 1; d.Now = at(2026, 12, 14, 9, 0) }},
	{"chaser_2", cspr.TmplChaser, func(d *cspr.MailData) { d.Chaser = 2; d.Now = at(2026, 12, 15, 9, 0); d.Form = cspr.FormView{} }},
	{"escalation", cspr.TmplEscalation, func(d *cspr.MailData) {
		d.Chaser, d.Now = 2, at(2026, 12, 16, 9, 0)
		d.Reason = "Metropolitan Police Service has not returned the scoping form due Fri 11 Dec 2026 17:00 after 2 chasers."
	}},
	{"command_reply", cspr.TmplCommandReply, func(d *cspr.MailData) {
		d.Reason = "Your commands on LSCP-2026-001"
		d.Lines = []string{`"start scoping" done: scoping requests sent to 3 agencies (Lewisham Children's Social Care, Metropolitan Police Service, South London and Maudsley NHS Trust)`,
			`"hello" : not a command csprbot knows; ignored`}
	}},
	{"digest", cspr.TmplDigest, func(d *cspr.MailData) {
		second := d.Case
		second.Ref, second.ChildInitials, second.Stage = "LSCP-2026-002", "MK", "referral"
		second.Returns = nil
		second.Deadlines = []cspr.DeadlineView{{Rule: "scoping_sent", Label: "Scoping forms sent to agencies", Due: at(2026, 12, 15, 17, 0), Status: "pending"}}
		d.Now = at(2026, 12, 14, 8, 0)
		d.Case, d.Agency = cspr.CaseView{}, cspr.AgencyView{}
		d.Digest = &cspr.DigestView{
			WeekFrom: at(2026, 12, 7, 0, 0), WeekTo: at(2026, 12, 13, 0, 0),
			Cases:     []cspr.CaseView{fixture().Case, second},
			Chased:    []string{"LSCP-2026-001: chaser 1 to Metropolitan Police Service (2026-12-14)"},
			Escalated: nil,
			Overdue:   []string{"LSCP-2026-001: Metropolitan Police Service, scoping return due 2026-12-11"},
			Triage:    []string{"2 messages tied to no case, for triage", "14 automatic messages recorded and not answered"},
		}
	}},
	{"digest_empty", cspr.TmplDigest, func(d *cspr.MailData) {
		d.Case, d.Agency = cspr.CaseView{}, cspr.AgencyView{}
		d.Digest = &cspr.DigestView{WeekFrom: at(2026, 12, 7, 0, 0), WeekTo: at(2026, 12, 13, 0, 0)}
	}},
}

func newSet(t *testing.T) *Set {
	t.Helper()
	s, err := New("")
	if err != nil {
		t.Fatalf("New(\"\") = %v", err)
	}
	return s
}

// show is a rendered email as a golden file holds it.
func show(r cspr.Rendered) string {
	var b strings.Builder
	b.WriteString("Subject: " + r.Subject + "\n\n" + r.Text)
	if r.HTML != "" {
		b.WriteString("\n======== HTML ========\n" + r.HTML)
	}
	for _, a := range r.Attachments {
		b.WriteString("\n======== attachment: " + a.Name + " (" + a.ContentType + ")\n")
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	s := newSet(t)
	seen := map[string]bool{}
	for _, tc := range goldenCases {
		t.Run(tc.golden, func(t *testing.T) {
			d := fixture()
			if tc.edit != nil {
				tc.edit(d)
			}
			r, err := s.Render(tc.tmpl, d)
			if err != nil {
				t.Fatalf("Render(%s) = %v", tc.tmpl, err)
			}
			seen[tc.tmpl] = true
			got := show(r)
			path := filepath.Join("testdata", tc.golden+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./templates -update)", err)
			}
			if got != string(want) {
				t.Errorf("Render(%s) differs from %s:\n%s", tc.tmpl, path, diff(string(want), got))
			}
		})
	}
	for _, n := range Names() {
		if !seen[n] {
			t.Errorf("template %s has no golden case", n)
		}
	}
}

// diff shows the first differing line of two texts.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(same lines)"
}

func TestNames(t *testing.T) {
	want := []string{cspr.TmplAckReferrer, cspr.TmplStaffNewReferral, cspr.TmplScopingRequest, cspr.TmplReturnReceived,
		cspr.TmplReturnEmpty, cspr.TmplStaffAttention, cspr.TmplReminder, cspr.TmplChaser, cspr.TmplEscalation, cspr.TmplCommandReply, cspr.TmplDigest,
		cspr.TmplMeetingInvite, cspr.TmplMeetingCancel, cspr.TmplPapers, cspr.TmplApprovalRequest, cspr.TmplPanelSubmission,
		cspr.TmplOutcomeNotice, cspr.TmplStatutoryReminder, cspr.TmplRRDraft, cspr.TmplChronology, cspr.TmplToRDraft, cspr.TmplPanelPack, cspr.TmplLCSPRRequest, cspr.TmplNationalNotice, cspr.TmplActionSignOff, cspr.TmplLearningInvite, cspr.TmplLCSPRReceived, cspr.TmplLCSPREscalate, cspr.TmplFamilyLetter}
	got := Names()
	if !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	files, err := embeddedFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range want {
		if !slices.Contains(files, n+".tmpl") {
			t.Errorf("no embedded file mail/%s.tmpl", n)
		}
	}
	if len(files) != len(want)+1 {
		t.Errorf("embedded files = %v, want one per template and %s", files, commonFile)
	}
}

// TestSubjectsCarryNoName renders every template with data full of names and checks
// that no subject carries one, and that each carries the case reference.
func TestSubjectsCarryNoName(t *testing.T) {
	s := newSet(t)
	for _, tc := range goldenCases {
		t.Run(tc.golden, func(t *testing.T) {
			d := fixture()
			if tc.edit != nil {
				tc.edit(d)
			}
			r, err := s.Render(tc.tmpl, d)
			if err != nil {
				t.Fatalf("Render(%s) = %v", tc.tmpl, err)
			}
			forbidden := []string{childName, "Tyler", "Brookes", motherName, "Donna", referrerName, "Priya", "Okonkwo", referrerEmail,
				d.Partnership.Contact, d.Case.ReferrerName, d.Case.ReferrerEmail}
			for _, f := range fixture().Case.Summary {
				forbidden = append(forbidden, f.Value)
			}
			for _, f := range forbidden {
				if len(f) > 2 && strings.Contains(strings.ToLower(r.Subject), strings.ToLower(f)) {
					t.Errorf("Render(%s).Subject = %q, carries %q", tc.tmpl, r.Subject, f)
				}
			}
			wantTag := "[LSCP]"
			if d.Case.Ref != "" {
				wantTag = "[" + d.Case.Ref + "]"
			}
			if !strings.HasPrefix(r.Subject, wantTag) {
				t.Errorf("Render(%s).Subject = %q, want it to start with %s", tc.tmpl, r.Subject, wantTag)
			}
			if strings.ContainsAny(r.Subject, "\r\n") {
				t.Errorf("Render(%s).Subject = %q holds a line break", tc.tmpl, r.Subject)
			}
		})
	}
}

func TestSubjectSeesOnlyRestrictedData(t *testing.T) {
	for _, field := range []string{".Case.ReferrerName", ".Case.Summary", ".Partnership.Contact", ".ReferrerName", ".Reason"} {
		t.Run(field, func(t *testing.T) {
			dir := t.TempDir()
			body := `{{define "subject"}}{{ref .}} {{` + field + `}}{{end}}{{define "text"}}x{{end}}`
			if err := os.WriteFile(filepath.Join(dir, "reminder.tmpl"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(dir)
			if err == nil || !strings.Contains(err.Error(), "reminder.tmpl") {
				t.Errorf("New with a subject using %s = %v, want an error naming reminder.tmpl", field, err)
			}
		})
	}
}

func TestOverride(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("chaser.tmpl", `{{define "subject"}}{{ref .}} Still waiting, {{.Agency}}{{end}}
{{define "text"}}Please send it. Due {{date .Due}}.
{{template "signature" .}}{{end}}`)
	write("_common.tmpl", `{{define "signature"}}-- The Team{{end}}{{define "contact"}}us{{end}}{{define "reply_note"}}reply{{end}}{{define "footer"}}{{end}}{{define "staff_footer"}}{{end}}{{define "html_footer"}}{{end}}`)
	write("README.txt", "not a template: ignored")
	s, err := New(dir)
	if err != nil {
		t.Fatalf("New(%s) = %v", dir, err)
	}
	d := fixture()
	d.Chaser = 1
	r, err := s.Render(cspr.TmplChaser, d)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[LSCP-2026-001] Still waiting, Metropolitan Police Service"; r.Subject != want {
		t.Errorf("overridden chaser subject = %q, want %q", r.Subject, want)
	}
	if want := "Please send it. Due Friday 11 December 2026.\n-- The Team\n"; r.Text != want {
		t.Errorf("overridden chaser text = %q, want %q", r.Text, want)
	}
	if len(r.Attachments) != 1 {
		t.Errorf("overridden chaser attachments = %d, want the form still attached", len(r.Attachments))
	}
	// The others still come from the embedded files, with the overriding _common.
	r, err = s.Render(cspr.TmplReminder, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Subject, "[LSCP-2026-001] Reminder:") || !strings.Contains(r.Text, "-- The Team") {
		t.Errorf("reminder with overridden _common = %q / %q", r.Subject, r.Text)
	}
}

func TestOverrideErrors(t *testing.T) {
	tests := []struct {
		name, file, body, want string
	}{
		{"parse error", "digest.tmpl", `{{define "subject"}}{{ref .}{{end}}`, "digest.tmpl"},
		{"no subject", "reminder.tmpl", `{{define "text"}}hello{{end}}`, `reminder.tmpl: no {{define "subject"}}`},
		{"no text", "reminder.tmpl", `{{define "subject"}}{{ref .}}{{end}}`, `reminder.tmpl: no {{define "text"}}`},
		{"unknown field", "chaser.tmpl", `{{define "subject"}}{{ref .}}{{end}}{{define "text"}}{{.Case.Nmae}}{{end}}`, "chaser.tmpl"},
		{"unknown function", "chaser.tmpl", `{{define "subject"}}{{ref .}}{{end}}{{define "text"}}{{shout .Case.Ref}}{{end}}`, "chaser.tmpl"},
		{"bad html", "digest.tmpl", `{{define "subject"}}{{ref .}}{{end}}{{define "text"}}x{{end}}{{define "html"}}<a href="{{.Case.Ref}}>{{end}}`, "digest.tmpl"},
		{"misspelt file name", "chasr.tmpl", `{{define "subject"}}x{{end}}`, "chasr.tmpl: not a template csprbot sends"},
		{"broken common", "_common.tmpl", `{{define "signature"}}{{if}}{{end}}`, "_common.tmpl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(dir)
			if err == nil {
				t.Fatalf("New with %s = nil error, want one naming %s", tc.file, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("New with %s = %q, want it to contain %q and the folder", tc.file, err, tc.want)
			}
		})
	}
	if _, err := New(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("New(missing folder) = nil error")
	}
}

func TestRenderErrors(t *testing.T) {
	s := newSet(t)
	if _, err := s.Render("no_such_template", fixture()); err == nil {
		t.Error("Render(no_such_template) = nil error")
	}
	// A nil MailData renders (with empty values) rather than panicking.
	for _, n := range Names() {
		if _, err := s.Render(n, nil); err != nil {
			t.Errorf("Render(%s, nil) = %v", n, err)
		}
	}
}

func TestAttachments(t *testing.T) {
	s := newSet(t)
	tests := []struct {
		tmpl  string
		edit  func(*cspr.MailData)
		files int
	}{
		{cspr.TmplScopingRequest, nil, 1},
		{cspr.TmplScopingRequest, func(d *cspr.MailData) { d.Form = cspr.FormView{} }, 1},
		{cspr.TmplReminder, nil, 1},
		{cspr.TmplReminder, func(d *cspr.MailData) { d.Form = cspr.FormView{} }, 0},
		{cspr.TmplChaser, nil, 1},
		{cspr.TmplReturnReceived, nil, 0},
		{cspr.TmplAckReferrer, nil, 0},
	}
	for _, tc := range tests {
		d := fixture()
		if tc.edit != nil {
			tc.edit(d)
		}
		r, err := s.Render(tc.tmpl, d)
		if err != nil {
			t.Fatalf("Render(%s) = %v", tc.tmpl, err)
		}
		if len(r.Attachments) != tc.files {
			t.Errorf("Render(%s) attachments = %d, want %d", tc.tmpl, len(r.Attachments), tc.files)
			continue
		}
		for _, a := range r.Attachments {
			if a.Name != "LSCP-2026-001 Initial scoping and information sharing form.docx" || a.ContentType != DocxType {
				t.Errorf("Render(%s) attachment = %q %q", tc.tmpl, a.Name, a.ContentType)
			}
			doc := docXML(t, a.Data)
			for _, want := range []string{"LSCP-2026-001", "TB", "Metropolitan Police Service", "5pm on Friday 11 December 2026", "Monday 21 December 2026"} {
				if !strings.Contains(doc, want) {
					t.Errorf("Render(%s) form lacks %q", tc.tmpl, want)
				}
			}
		}
	}
}

func TestDateHelpers(t *testing.T) {
	tests := []struct {
		name string
		f    func(time.Time) string
		in   time.Time
		want string
	}{
		{"date winter", Date, time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC), "Friday 11 December 2026"},
		{"date late evening UTC is next day in summer", Date, time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC), "Thursday 2 July 2026"},
		{"datetime winter", DateTime, time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC), "17:00 on Friday 11 December 2026"},
		{"datetime summer (BST)", DateTime, time.Date(2026, 6, 5, 16, 0, 0, 0, time.UTC), "17:00 on Friday 5 June 2026"},
		{"clock on the hour", Clock, time.Date(2026, 6, 5, 16, 0, 0, 0, time.UTC), "5pm"},
		{"clock morning", Clock, time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC), "9:30am"},
		{"ddmmyyyy", ddmmyyyy, time.Date(2026, 4, 2, 23, 30, 0, 0, time.UTC), "03/04/2026"},
		{"iso", iso, time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC), "2026-12-11"},
		{"zero", Date, time.Time{}, notSet},
		{"zero datetime", DateTime, time.Time{}, notSet},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f(tc.in); got != tc.want {
				t.Errorf("%s(%v) = %q, want %q", tc.name, tc.in, got, tc.want)
			}
		})
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "first", 2: "second", 3: "third", 11: "11th", 12: "12th", 21: "21st", 22: "22nd", 23: "23rd", 111: "111th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDigestHTML(t *testing.T) {
	s := newSet(t)
	d := fixture()
	for _, tc := range goldenCases {
		if tc.golden == "digest" {
			tc.edit(d)
		}
	}
	d.Digest.Cases[0].Returns[0].Agency = `<script>alert("x")</script> & Co`
	r, err := s.Render(cspr.TmplDigest, d)
	if err != nil {
		t.Fatal(err)
	}
	if r.HTML == "" || r.Text == "" {
		t.Fatalf("digest HTML %d bytes, text %d bytes: want both", len(r.HTML), len(r.Text))
	}
	for _, bad := range []string{"<script", "<img", "http://", "https://", "<link", "<style"} {
		if strings.Contains(strings.ToLower(r.HTML), bad) {
			t.Errorf("digest HTML contains %q", bad)
		}
	}
	for _, want := range []string{"LSCP-2026-001 (TB)", "LSCP-2026-002 (MK)", "#d4351c", "#f47738", "#00703c", "&lt;script&gt;", "Chased this week", "Overdue now"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("digest HTML lacks %q", want)
		}
	}
	for _, name := range []string{childName, motherName, referrerName} {
		if strings.Contains(r.HTML, name) || strings.Contains(r.Text, name) {
			t.Errorf("digest carries the name %q", name)
		}
	}
}
