package templates

import (
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// The Rapid Review emails' golden cases join the others (TestGolden, TestSubjectsCarryNoName).
func init() { goldenCases = append(goldenCases, rrGoldenCases...) }

func rrMeeting(d *cspr.MailData, method string, seq int) {
	start, end := at(2026, 12, 16, 10, 0), at(2026, 12, 16, 11, 30)
	d.Due = start
	d.RR = &cspr.RRView{Meeting: start, MeetingEnd: end, Event: &cspr.EventView{
		UID: "rapid-review.LSCP-2026-001.a1b2c3@lewisham.gov.uk", Sequence: seq, Method: method, Start: start, End: end,
		Summary: "Rapid Review meeting LSCP-2026-001 (TB)", Organizer: `"Lewisham Safeguarding Children Partnership" <safeguardingpartnership@lewisham.gov.uk>`,
		Attendees: []string{"strategic.lead@lewisham.gov.uk", "safeguarding.lead@met.example"}, Stamp: at(2026, 12, 8, 9, 30)}}
}

func rrReport(d *cspr.MailData) {
	d.Now = at(2026, 12, 17, 11, 0)
	d.RR = &cspr.RRView{Meeting: at(2026, 12, 16, 10, 0), ReviewDate: "2026-12-16", Recommendation: "b",
		RecommendationLabel: "Meets the criteria for a local Child Safeguarding Practice Review",
		Rationale:           "Practice across agencies needs examining.", ReportName: "LSCP-2026-001 Rapid Review report.docx",
		Participants: []cspr.Field{{Label: "A. Officer", Value: "Detective Inspector, Metropolitan Police Service"}, {Label: "B. Worker", Value: "Head of Service, Lewisham Children's Social Care"}},
		Quorate:      false, MissingPartners: []string{"health (ICB)"}, Approver: "strategic.lead@lewisham.gov.uk",
		Outcome: "a local Child Safeguarding Practice Review will be carried out"}
}

var rrGoldenCases = []goldenCase{
	{"meeting_invite", cspr.TmplMeetingInvite, func(d *cspr.MailData) { rrMeeting(d, "REQUEST", 0) }},
	{"meeting_invite_moved", cspr.TmplMeetingInvite, func(d *cspr.MailData) { rrMeeting(d, "REQUEST", 1) }},
	{"meeting_cancel", cspr.TmplMeetingCancel, func(d *cspr.MailData) { rrMeeting(d, "CANCEL", 2) }},
	{"papers", cspr.TmplPapers, func(d *cspr.MailData) {
		rrMeeting(d, "REQUEST", 0)
		d.RR.Event = nil
		d.RR.Papers = []string{"Referral: referral.docx", "Scoping return from Metropolitan Police Service: return.docx"}
	}},
	{"papers_late", cspr.TmplPapers, func(d *cspr.MailData) {
		rrMeeting(d, "REQUEST", 0)
		d.RR.Event, d.RR.Late = nil, true
		d.RR.Papers = []string{"Scoping return from South London and Maudsley NHS Trust: scoping.docx"}
	}},
	{"submission_approval_request", cspr.TmplApprovalRequest, rrReport},
	{"national_panel_submission", cspr.TmplPanelSubmission, rrReport},
	{"outcome_notice", cspr.TmplOutcomeNotice, rrReport},
	{"outcome_notice_closed", cspr.TmplOutcomeNotice, func(d *cspr.MailData) {
		rrReport(d)
		d.RR.Recommendation, d.RR.RecommendationLabel, d.RR.Outcome = "h", "Needs no Further Action", "no further review: needs no further action"
	}},
	{"statutory_reminder", cspr.TmplStatutoryReminder, func(d *cspr.MailData) {
		d.Due = at(2026, 12, 8, 17, 0)
		d.RR = &cspr.RRView{Rule: "panel_notification", RuleLabel: "National Panel notified"}
	}},
	{"statutory_reminder_ofsted_overdue", cspr.TmplStatutoryReminder, func(d *cspr.MailData) {
		d.Due = at(2026, 12, 8, 17, 0)
		d.RR = &cspr.RRView{Rule: "ofsted_sos_notification", RuleLabel: "Secretary of State and Ofsted notified", Overdue: true}
	}},
}

// TestInviteAttachment checks the .ics the invitation and the cancellation carry.
func TestInviteAttachment(t *testing.T) {
	s := newSet(t)
	tests := []struct {
		tmpl, method string
		seq          int
		want         []string
	}{
		{cspr.TmplMeetingInvite, "REQUEST", 0, []string{"METHOD:REQUEST", "SEQUENCE:0", "STATUS:CONFIRMED"}},
		{cspr.TmplMeetingInvite, "REQUEST", 1, []string{"METHOD:REQUEST", "SEQUENCE:1"}},
		{cspr.TmplMeetingCancel, "CANCEL", 2, []string{"METHOD:CANCEL", "SEQUENCE:2", "STATUS:CANCELLED"}},
	}
	for _, tc := range tests {
		d := fixture()
		rrMeeting(d, tc.method, tc.seq)
		r, err := s.Render(tc.tmpl, d)
		if err != nil {
			t.Fatalf("Render(%s) = %v", tc.tmpl, err)
		}
		if len(r.Attachments) != 1 || r.Attachments[0].Name != InviteName || r.Attachments[0].ContentType != ICSType(tc.method) {
			t.Fatalf("Render(%s) attachments = %+v, want one %s (%s)", tc.tmpl, r.Attachments, InviteName, ICSType(tc.method))
		}
		ics := strings.ReplaceAll(string(r.Attachments[0].Data), "\r\n ", "")
		attendee := "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:safeguarding.lead@met.example"
		if tc.method == "CANCEL" {
			attendee = "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT:mailto:safeguarding.lead@met.example"
		}
		for _, w := range append(tc.want, "UID:rapid-review.LSCP-2026-001.a1b2c3@lewisham.gov.uk", "DTSTART;TZID=Europe/London:20261216T100000", attendee) {
			if !strings.Contains(ics, w) {
				t.Errorf("Render(%s) .ics lacks %q:\n%s", tc.tmpl, w, ics)
			}
		}
		if strings.Contains(ics, childName) {
			t.Errorf(".ics carries the child's name")
		}
	}
}
