// Code in tracker names csprbot's plain types (package cspr) by their old names here,
// so the store and the rules read as before while mailbox and templates import only cspr.

package tracker

import "github.com/lewisham-lscp/csprbot/tracker/cspr"

type (
	LCSPRView           = cspr.LCSPRView
	Attachment          = cspr.Attachment
	OutEmail            = cspr.OutEmail
	Sender              = cspr.Sender
	SendError           = cspr.SendError
	Rendered            = cspr.Rendered
	Renderer            = cspr.Renderer
	MailData            = cspr.MailData
	Partnership         = cspr.Partnership
	CaseView            = cspr.CaseView
	Field               = cspr.Field
	AgencyView          = cspr.AgencyView
	DeadlineView        = cspr.DeadlineView
	ReturnView          = cspr.ReturnView
	FormView            = cspr.FormView
	DigestView          = cspr.DigestView
	DraftView           = cspr.DraftView
	RRDraftView         = cspr.RRDraftView
	ExpectedParticipant = cspr.ExpectedParticipant
	ChronologyView      = cspr.ChronologyView
	ChronEntry          = cspr.ChronEntry
	ChronSource         = cspr.ChronSource
	ToRDraftView        = cspr.ToRDraftView
	ToRRow              = cspr.ToRRow
	PanelPackView       = cspr.PanelPackView
	AgencyReportView    = cspr.AgencyReportView
	RRView              = cspr.RRView
	EventView           = cspr.EventView
)

const (
	TmplActionSignOff     = cspr.TmplActionSignOff
	TmplLearningInvite    = cspr.TmplLearningInvite
	TmplFamilyLetter      = cspr.TmplFamilyLetter
	TmplLCSPRRequest      = cspr.TmplLCSPRRequest
	TmplNationalNotice    = cspr.TmplNationalNotice
	TmplLCSPRReceived     = cspr.TmplLCSPRReceived
	TmplLCSPREscalate     = cspr.TmplLCSPREscalate
	ReturnScoping         = cspr.ReturnScoping
	ReturnChronology      = cspr.ReturnChronology
	ReturnAgencyReport    = cspr.ReturnAgencyReport
	ReturnActionEvidence  = cspr.ReturnActionEvidence
	NoticeReviewer        = cspr.NoticeReviewer
	NoticeFinalReport     = cspr.NoticeFinalReport
	NoticeNSPCC           = cspr.NoticeNSPCC
	NoticeDelay           = cspr.NoticeDelay
	TmplAckReferrer       = cspr.TmplAckReferrer
	TmplStaffNewReferral  = cspr.TmplStaffNewReferral
	TmplScopingRequest    = cspr.TmplScopingRequest
	TmplReturnReceived    = cspr.TmplReturnReceived
	TmplReturnEmpty       = cspr.TmplReturnEmpty
	TmplStaffAttention    = cspr.TmplStaffAttention
	TmplReminder          = cspr.TmplReminder
	TmplChaser            = cspr.TmplChaser
	TmplEscalation        = cspr.TmplEscalation
	TmplCommandReply      = cspr.TmplCommandReply
	TmplDigest            = cspr.TmplDigest
	TmplRRDraft           = cspr.TmplRRDraft
	TmplChronology        = cspr.TmplChronology
	TmplToRDraft          = cspr.TmplToRDraft
	TmplPanelPack         = cspr.TmplPanelPack
	TmplMeetingInvite     = cspr.TmplMeetingInvite
	TmplMeetingCancel     = cspr.TmplMeetingCancel
	TmplPapers            = cspr.TmplPapers
	TmplApprovalRequest   = cspr.TmplApprovalRequest
	TmplPanelSubmission   = cspr.TmplPanelSubmission
	TmplOutcomeNotice     = cspr.TmplOutcomeNotice
	TmplStatutoryReminder = cspr.TmplStatutoryReminder
)

var (
	ReturnKindLabel     = cspr.ReturnKindLabel
	IsPermanent         = cspr.IsPermanent
	IsMessageRefused    = cspr.IsMessageRefused
	RecommendationLabel = cspr.RecommendationLabel
)
