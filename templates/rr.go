package templates

import (
	"time"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// InviteName is the file name of an attached meeting invitation.
const InviteName = "invite.ics"

// rrAttachments are the files the Rapid Review emails carry that the program makes: the
// iCalendar invitation (or cancellation) of the meeting. ok is false for other emails.
func rrAttachments(name string, d *cspr.MailData) ([]cspr.Attachment, bool, error) {
	switch name {
	case cspr.TmplMeetingInvite, cspr.TmplMeetingCancel:
	default:
		return nil, false, nil
	}
	if d.RR == nil || d.RR.Event == nil {
		return nil, true, nil // nothing to attach (the trial render of an override with no data)
	}
	ev := d.RR.Event
	method := ev.Method
	if name == cspr.TmplMeetingCancel {
		method = "CANCEL"
	}
	ics, err := Invite(Event{UID: ev.UID, Sequence: ev.Sequence, Method: method, Start: ev.Start, End: ev.End,
		Summary: ev.Summary, Location: ev.Location, Description: "Rapid Review meeting. Papers follow by email; keep them confidential.",
		Organizer: ev.Organizer, Attendees: ev.Attendees, Stamp: ev.Stamp})
	if err != nil {
		return nil, true, err
	}
	if method == "" {
		method = "REQUEST"
	}
	return []cspr.Attachment{{Name: InviteName, ContentType: ICSType(method), Data: ics}}, true, nil
}

// sampleRR fills every Rapid Review field for the trial render at start-up.
func sampleRR() *cspr.RRView {
	start := time.Date(2026, 12, 15, 10, 0, 0, 0, time.UTC)
	return &cspr.RRView{
		Meeting: start, MeetingEnd: start.Add(90 * time.Minute), Location: "Sample room",
		Event: &cspr.EventView{UID: "sample@example.org", Sequence: 1, Method: "REQUEST", Start: start, End: start.Add(90 * time.Minute),
			Summary: "Rapid Review meeting LSCP-2026-000 (XY)", Organizer: "partnership@example.org", Attendees: []string{"lead@agency.example"}, Stamp: start},
		Papers: []string{"Referral: referral.docx"}, Late: true,
		ReviewDate: "2026-12-15", Recommendation: "b", RecommendationLabel: "sample", Rationale: "sample rationale",
		Participants: []cspr.Field{{Label: "Sample Person", Value: "Sample Agency"}}, Quorate: false, MissingPartners: []string{"health"},
		ReportName: "report.docx", Approver: "lead@example.org", Outcome: "sample outcome",
		Rule: "panel_notification", RuleLabel: "National Panel notified", Overdue: true,
	}
}
