package cspr

import "time"

// Template names: one per kind of email csprbot sends. templates/ has a file for each.
const (
	TmplAckReferrer      = "ack_referrer"       // to the referrer: we have it, here is the reference
	TmplStaffNewReferral = "staff_new_referral" // to staff: parsed summary, proposed agencies, deadlines, how to start scoping
	TmplScopingRequest   = "scoping_request"    // to an agency: Appendix 4 letter + Appendix 3 form (.docx)
	TmplReturnReceived   = "return_received"    // to an agency: thanks, your return is recorded
	TmplReturnEmpty      = "return_empty"       // to an agency: the form came back with no question answered; please send it completed
	TmplStaffAttention   = "staff_attention"    // to staff: something on a case needs a person (unreadable form, unknown sender, ...)
	TmplReminder         = "reminder"           // to an agency: due tomorrow
	TmplChaser           = "chaser"             // to an agency: overdue
	TmplEscalation       = "escalation"         // to the subgroup / partners: an agency has not returned
	TmplCommandReply     = "command_reply"      // to staff: what a command did or why it was refused
	TmplDigest           = "digest"             // weekly status digest to the subgroup
)

// MailData is everything a template may use. Subjects must use only Case.Ref and
// Case.ChildInitials, never a name: templates/ tests enforce it.
type MailData struct {
	Partnership Partnership
	Case        CaseView
	Agency      AgencyView // the addressee agency, where there is one
	Now         time.Time  // when the email is written (Europe/London for display)
	Due         time.Time  // the date this email asks for (a return's due time), if any
	Chaser      int        // 1 for the first chaser, 2 for the second, ...
	Reason      string     // staff_attention, command_reply, escalation: what happened, in plain words
	Lines       []string   // extra lines: command results, warnings, ...
	Form        FormView   // scoping_request: what to pre-fill in the form we attach
	Digest      *DigestView
	RR          *RRView    // the Rapid Review emails: meeting, papers, submission, outcome (maildata_rr.go)
	LCSPR       *LCSPRView // the local review's emails: requests, notices to national bodies (lcspr.go)
	Draft       *DraftView // the drafts for the team: the Rapid Review report, the combined chronology (maildata_drafts.go)
}

// Partnership is who we are, from configuration.
type Partnership struct {
	Name    string // "Lewisham Safeguarding Children Partnership"
	Short   string // "LSCP"
	Email   string // safeguardingpartnership@lewisham.gov.uk
	Phone   string // 020 8314 3396
	Address string // "1st Floor, Laurence House, 1 Catford Road, SE6 4RU"
	Website string // www.safeguardinglewisham.org.uk
	Contact string // name of the person to contact, for letters
	Signer  string // who signs letters, e.g. "Strategic Safeguarding Lead"
}

// CaseView is a case as templates see it.
type CaseView struct {
	Ref              string // LSCP-2026-001
	ChildInitials    string // AB
	Stage            string
	ReferralReceived time.Time
	IncidentDate     string // YYYY-MM-DD or as written
	IncidentKind     string // death | serious_harm | ""
	LookedAfter      bool
	ReferrerName     string
	ReferrerAgency   string
	ReferrerEmail    string
	Summary          []Field        // parsed referral fields for the staff notice (body only)
	Agencies         []AgencyView   // proposed or requested agencies
	Deadlines        []DeadlineView // every deadline of the case
	Returns          []ReturnView   // each agency's return
	Warnings         []string       // parser warnings, things to check
	NeedsCompletion  bool           // the referral could not be read in full: a person must complete it
}

// Field is one labelled value.
type Field struct {
	Label string
	Value string
}

// AgencyView is an agency from the directory.
type AgencyView struct {
	Name    string
	Email   string
	Partner string // local_authority | police | health | ""
	Known   bool   // the directory knows it (has an address)
	Reason  string // why it is involved, from the referral
}

// DeadlineView is one deadline.
type DeadlineView struct {
	Rule   string    // scoping_sent, rr_meeting, ...
	Label  string    // "Scoping forms sent to agencies"
	Due    time.Time // end of the window (17:00 Europe/London on a working day)
	From   time.Time // start of a window, for rr_meeting; zero otherwise
	Status string    // pending | met | missed | waived
}

// ReturnView is one agency's scoping return.
type ReturnView struct {
	Agency      string
	Status      string // awaiting | received | nil_return | overdue | escalated | waived
	Due         time.Time
	ReceivedAt  time.Time
	ChasersSent int
	RAG         string // red | amber | green
}

// FormView is what we pre-fill in a form we send.
type FormView struct {
	CaseRef       string
	ChildInitials string
	ReturnBy      time.Time
	AgencyName    string
}

// DigestView is the weekly digest's content.
type DigestView struct {
	WeekFrom  time.Time
	WeekTo    time.Time
	Cases     []CaseView
	Chased    []string // "LSCP-2026-001: chaser 1 to Metropolitan Police Service (2026-12-10)"
	Escalated []string
	Overdue   []string
	// Triage counts the week's messages csprbot did not act on by itself, by kind
	// ("3 messages tied to no case, for triage").
	Triage []string
	// LocalReviews is each open local review's learning event and who is coming
	// (lcspr_learning.go), a line each; empty when there is none.
	LocalReviews []string
}
