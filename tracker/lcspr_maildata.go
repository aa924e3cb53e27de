package tracker

import (
	"strings"
	"time"
)

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

// returnWords is a kind of return in a line of an escalation: "scoping form", "chronology".
func returnWords(kind string) string {
	switch kind {
	case "", ReturnScoping:
		return "scoping form"
	case ReturnActionEvidence:
		return "action evidence"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// Chasing is the reminder and chasers of one kind of return ([returns.KIND] in the
// configuration). ReminderDays < 0: no reminder; 0: the schedule's. Chasers 0: the
// schedule's.
type Chasing struct {
	ReminderDays int
	Chasers      int
}

// chasingFor is the reminder (working days before; 0 none) and chasers for a kind of return.
func (t *Tracker) chasingFor(kind string) (reminderDays, chasers int) {
	reminderDays, chasers = t.cfg.ReminderDays, t.cfg.Chasers
	if c, ok := t.cfg.KindChasing[kind]; ok {
		switch {
		case c.ReminderDays < 0:
			reminderDays = 0
		case c.ReminderDays > 0:
			reminderDays = c.ReminderDays
		}
		if c.Chasers > 0 {
			chasers = c.Chasers
		}
	}
	return reminderDays, chasers
}
