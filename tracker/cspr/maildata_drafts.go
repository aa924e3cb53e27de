package cspr

import "time"

// Template names of the drafts csprbot writes for the team (issue 14). Each carries a
// Word document a person edits; none goes outside the partnership by itself.
const (
	TmplRRDraft    = "rr_draft"   // to staff, with the papers: the Rapid Review report (Appendix 5) pre-filled
	TmplChronology = "chronology" // to staff (and the lead reviewer): the combined multi-agency chronology
	TmplToRDraft   = "tor_draft"  // to staff, when a local review is decided: the Terms of Reference (Appendix 6) pre-filled
	TmplPanelPack  = "panel_pack" // to staff, before a local review panel meeting: one pack of its papers
)

// DraftView is what a draft's email and its document are made from.
type DraftView struct {
	RR         *RRDraftView
	Chronology *ChronologyView
	ToR        *ToRDraftView
	Pack       *PanelPackView
	Note       string // why this copy was written ("a later return from X arrived"), if not the first
}

// RRDraftView fills the Rapid Review report draft: Section 1 and the background, which
// the guidance says are completed before the meeting. Sections 2 and 3 are the meeting's
// and stay empty.
type RRDraftView struct {
	CaseRef       string
	ChildInitials string
	// ChildName is the name the referral gives. The draft goes to staff only; the name is
	// never in a subject, a file name or a log line.
	ChildName string
	Meeting   time.Time
	// Background is the child's details from the referral, labelled, in the form's order.
	Background []Field
	// Summary is the case summary (1.2) as the referral tells it, one labelled paragraph each.
	Summary []Field
	// Family is the referral's table of family members and significant others, rows keyed as
	// the parser keys them (name_address, relationship, dob, legal_status, ethnic_origin, group).
	Family []map[string]string
	// FamilyNamed are the family members each agency's return says it knows (agency: words).
	FamilyNamed []Field
	// Documents is "Documentation available to this Rapid Review": the referral, each
	// agency's return and when, and each agency that has not returned.
	Documents []string
	// Expected are the meeting's invitees with their answers to the invitation.
	Expected []ExpectedParticipant
}

// ExpectedParticipant is one invitee to the Rapid Review meeting.
type ExpectedParticipant struct {
	Name    string // a staff member's name; "" for an agency address
	Address string
	Agency  string // "" for staff
	Partner string // local_authority | police | health | ""
	Reply   string // accepted | declined | tentative | no reply
}

// ChronologyView is the combined multi-agency chronology ("Combined Initial Scoping
// Document Chronology", Appendix 6 section 11.0): every entry of every agency's scoping
// return and chronology, in date order, each with its agency.
type ChronologyView struct {
	CaseRef       string
	ChildInitials string
	Generated     time.Time
	// PeriodFrom and PeriodTo are the review period (YYYY-MM-DD) from the Terms of
	// Reference, when there are any; entries outside it are marked. PeriodNote says why
	// nothing is marked when there is no period.
	PeriodFrom, PeriodTo string
	PeriodNote           string
	Entries              []ChronEntry // dated, in order
	Undated              []ChronEntry // dates that could not be read, for a person to place
	Sources              []ChronSource
	Missing              []string // agencies asked for a return that have sent none
}

// ChronEntry is one entry of the combined chronology.
type ChronEntry struct {
	Date    string // YYYY-MM-DD; as written (or "") for an undated entry
	Time    string // HH:MM where the entry gives one (the date cell's <column>_time), else ""
	Agency  string
	Source  string // "scoping return", "chronology", "referral"
	Who     string // the person or the sender and subject
	What    string // the contact or event (or the communications)
	Outcome string
	// Evidence and Comment are the chronology's own columns, where it has them.
	Evidence string
	Comment  string
	Outside  bool // outside the review period
	// Same names the other agencies' entries the same day that look like the same event:
	// they stand next to this one, none dropped.
	Same []string
}

// ChronSource is one document the chronology was made from.
type ChronSource struct {
	Agency   string
	Kind     string // scoping return | chronology | referral
	Name     string // the file's name, or "(in the email)"
	Received time.Time
	Entries  int
}

// ToRDraftView fills the Terms of Reference draft (Appendix 6) of a local review: 1.0–3.0
// from the Rapid Review report and the referral, the agencies whose returns said they knew
// the child or family, and an outline timetable proposed from the decision date and the
// configured durations. The rest is the Learning from Practice subgroup's to write.
type ToRDraftView struct {
	CaseRef       string
	ChildInitials string
	DecisionAt    time.Time
	// RapidReviewFeedback is the Rapid Review's recommendation and rationale (1.0).
	RapidReviewFeedback string
	IncidentOutline     string // 2.0, from the referral
	CaseHistory         string // 3.0, from the referral
	Agencies            []AgencyView
	Timetable           []ToRRow
	LeadReviewer        string // where already recorded
	LeadReviewerEmail   string
}

// ToRRow is one row of the proposed outline timetable (7.0).
type ToRRow struct {
	Action      string
	Responsible string
	Due         time.Time
}

// PanelPackView is the papers for a local review panel meeting, in one document: a contents
// page, the Terms of Reference, the combined chronology, the agency reports received, and
// what is still outstanding.
type PanelPackView struct {
	CaseRef       string
	ChildInitials string
	Meeting       string    // the timetable's words for the meeting ("Panel meeting 1")
	At            time.Time // its date, where the timetable gives one
	// ToR is the Terms of Reference as last read (labelled fields), with its timetable.
	ToR         []Field
	ToRStatus   string // proposed | confirmed | "" (none received)
	Timetable   []ToRRow
	Chronology  *ChronologyView
	Reports     []AgencyReportView
	Outstanding []string // what is still awaited, one line each
}

// AgencyReportView is one agency report (Appendix 9) received.
type AgencyReportView struct {
	Agency   string
	Name     string // its file
	Received time.Time
	Fields   []Field // its answers, labelled
	Actions  []map[string]string
}
