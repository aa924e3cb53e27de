package cspr

import "time"

// Template names of the local review's emails. templates/ has a file for each.
const (
	TmplLCSPRRequest   = "lcspr_request"    // to an agency: a chronology or agency report by a date (or more information), the pre-filled form attached
	TmplNationalNotice = "national_notice"  // to the National Panel, Ofsted, the DfE or the NSPCC: held for approval, sent once
	TmplLCSPRReceived  = "lcspr_received"   // to an agency: its chronology, agency report or action evidence is recorded
	TmplLCSPREscalate  = "lcspr_escalation" // to the subgroup: an agency has not sent what the local review asked, after the chasers
)

// Kinds of document requested from an agency by a date (returns.kind).
const (
	ReturnScoping        = "scoping"         // Appendix 3
	ReturnChronology     = "chronology"      // Appendix 10
	ReturnAgencyReport   = "agency_report"   // Appendix 9
	ReturnActionEvidence = "action_evidence" // evidence that an action of the action plan is done
)

// ReturnKindLabel is a kind of return in words.
func ReturnKindLabel(kind string) string {
	switch kind {
	case ReturnChronology:
		return "Information-Sharing Chronology"
	case ReturnAgencyReport:
		return "Agency Report"
	case ReturnActionEvidence:
		return "evidence for an action of the action plan"
	}
	return "Initial Scoping and Information Sharing form"
}

// What a national notice is (national_notices.what).
const (
	NoticeReviewer    = "reviewer_notification" // the lead reviewer named to the National Panel, Ofsted and the DfE
	NoticeFinalReport = "final_report"          // the final report to the same, 7 WD before publication
	NoticeNSPCC       = "nspcc_submission"      // the published report to the NSPCC repository
	NoticeDelay       = "publication_delay"     // publication will miss six months: why, to the Panel and the DfE
)

// LCSPRView is what the local review's emails add to MailData.
type LCSPRView struct {
	Kind      string // the return asked for: chronology | agency_report | action_evidence
	KindLabel string // its words: "Information-Sharing Chronology"
	More      string // lcspr_request: what the panel found missing, when it sends a return back
	Item      string // action_evidence: the action ("A1: …")
	Key       string // action_evidence: the action's number ("A1"), for Signed off

	Notice        string // national_notice: reviewer_notification | final_report | nspcc_submission | publication_delay
	Reviewer      string // the lead reviewer
	ReviewerEmail string
	Decision      string    // local | alternative | ...
	DecisionAt    time.Time // the date the review was decided
	PublishOn     time.Time // the publication date
	URL           string    // where the report is published
	ReportName    string    // the final report's file name, attached as received
	Why           string    // publication_delay: the reason given

	Venue string   // learning_invite: where (or the online link)
	Panel []string // learning_invite: the review panel, from the Terms of Reference
}

// TmplActionSignOff asks the MESI subgroup to sign off an action's evidence.
const TmplActionSignOff = "action_signoff"

// TmplLearningInvite invites the practitioners' agencies to the learning event (Appendix
// 11), with an iCalendar REQUEST; with Reason "reminder", the reminder a week before.
const TmplLearningInvite = "learning_invite"

// TmplFamilyLetter is the family letter (Appendix 7) and leaflet (Appendix 8) as a .docx,
// to staff, for the lead reviewer to complete and send by hand (Family letter by email).
const TmplFamilyLetter = "family_letter"
