package cspr

import "time"

// Template names of the Rapid Review emails. templates/ has a file for each.
const (
	TmplMeetingInvite     = "meeting_invite"              // to staff and agencies: the Rapid Review meeting, with an iCalendar REQUEST
	TmplMeetingCancel     = "meeting_cancel"              // to the same: the meeting is cancelled (iCalendar CANCEL)
	TmplPapers            = "papers"                      // to the invitees: the referral and the scoping returns, attached
	TmplApprovalRequest   = "submission_approval_request" // to staff: the report is in, the submission is ready: approve it
	TmplPanelSubmission   = "national_panel_submission"   // to the National Panel: covering letter, the report attached
	TmplOutcomeNotice     = "outcome_notice"              // to every agency and the referrer: the outcome of the Rapid Review
	TmplStatutoryReminder = "statutory_reminder"          // to the local authority lead: notify the National Panel / Ofsted
)

// RRView is what the Rapid Review emails add to MailData.
type RRView struct {
	Meeting    time.Time // the meeting's start
	MeetingEnd time.Time
	Location   string
	// Event is the iCalendar invitation the renderer attaches (meeting_invite,
	// meeting_cancel); nil for other emails.
	Event *EventView
	// Papers are the documents attached (papers), one line each: "Referral: referral.docx".
	Papers []string
	Late   bool // papers: a return that arrived after the papers went out

	// The report and the submission.
	ReviewDate          string   // date of the Rapid Review as the report gives it
	Recommendation      string   // the letter a–j
	RecommendationLabel string   // its words
	Rationale           string   // the report's rationale
	Participants        []Field  // name (label) and agency (value)
	Quorate             bool     // one each of local authority, police, health took part
	MissingPartners     []string // the partners with no participant
	ReportName          string   // the report's file name, attached as received
	Approver            string   // who approved the submission
	Outcome             string   // what happens next: "a local Child Safeguarding Practice Review", ...

	// statutory_reminder
	Rule      string // panel_notification | ofsted_sos_notification
	RuleLabel string
	Overdue   bool
}

// EventView is an iCalendar event as the tracker describes it; templates turns it into
// the .ics (templates.Invite).
type EventView struct {
	UID       string
	Sequence  int
	Method    string // REQUEST | CANCEL
	Start     time.Time
	End       time.Time
	Summary   string // the case reference and initials only, never a name
	Location  string
	Organizer string
	Attendees []string
	Stamp     time.Time
}

// recommendationLabels are section 3 of the Rapid Review report (Appendix 5).
var recommendationLabels = map[string]string{
	"a": "Meets the criteria for a national Child Safeguarding Practice Review",
	"b": "Meets the criteria for a local Child Safeguarding Practice Review",
	"c": "Does not meet the criteria but warrants an alternative Learning Review",
	"d": "Warrants consideration of DHR, SAR, MAPPA SFO or other",
	"e": "Warrants a Single-Agency Review",
	"f": "Warrants a Multi-Agency Audit",
	"g": "Warrants a Single Agency Audit",
	"h": "Needs no Further Action",
	"i": "The Rapid Review has identified learning that has been acted upon, obviating the need for further review",
	"j": "Other",
}

// RecommendationLabel is the words of a Rapid Review recommendation letter.
func RecommendationLabel(letter string) string { return recommendationLabels[letter] }
