package parser

// The local review's forms (issue 10): the Terms of Reference (Appendix 6) and the
// multi-agency action plan. Kept apart from schema.go so that each can change without
// touching the other; registered in specs at start-up.

const (
	KindTermsOfReference Kind = "terms_of_reference" // Appendix 6
	KindActionPlan       Kind = "action_plan"        // the multi-agency action plan after a review
	KindNotification     Kind = "notification"       // a local authority's notification to the National Panel or Ofsted
)

func init() { specs = append(specs, termsOfReferenceSpec, actionPlanSpec, notificationSpec) }

// notificationSpec is a local authority's notification of a serious incident to the National
// Panel or Ofsted: the online form's confirmation email, or a copy of what was submitted,
// forwarded to the partnership. It counts as a referral.
var notificationSpec = &FormSpec{
	Kind:  KindNotification,
	Title: "Child Safeguarding Incident Notification",
	TitleVariants: []string{"Serious child safeguarding incident notification", "Notification of a serious child safeguarding incident",
		"Serious incident notification to the National Panel", "Ofsted serious incident notification", "Child safeguarding incident notification form",
		"Your notification has been submitted", "Thank you for submitting your notification", "Serious incident notification submitted"},
	Fields: []FieldSpec{
		{Key: "local_authority", Label: "Local authority", Variants: []string{"Local authority name", "Notifying local authority", "LA"}},
		{Key: "notified_at", Label: "Date of notification", Type: Date, Variants: []string{"Date notified", "Notification date", "Submitted on", "Date submitted", "Submission date"}},
		{Key: "notified_to", Label: "Notified to", Type: MultiChoice, Variants: []string{"Notification sent to", "Submitted to"},
			Options: []Option{{Key: "national_panel", Label: "National Child Safeguarding Practice Review Panel", Variants: []string{"National Panel", "the Panel", "NCSPRP"}},
				{Key: "ofsted", Label: "Ofsted"}}},
		{Key: "panel_reference", Label: "Notification reference", Variants: []string{"Reference number", "Your reference", "Submission reference", "Panel reference"}},
		{Key: "child_initials", Label: "Child's initials", Variants: []string{"Initials of child", "Child initials"}},
		{Key: "child_name", Label: "Child's name", Variants: []string{"Name of child"}},
		{Key: "child_dob", Label: "Child's date of birth", Type: Date, Variants: []string{"Date of birth", "DOB"}},
		{Key: "incident_date", Label: "Date of incident", Type: Date, Variants: []string{"Incident date", "Date of the incident", "Date of death or serious harm"}},
		{Key: "incident_kind", Label: "Type of incident", Type: Choice, Variants: []string{"Incident type", "Nature of incident", "Death or serious harm"},
			Options: []Option{{Key: "death", Label: "Death", Variants: []string{"Child death", "Died"}}, {Key: "serious_harm", Label: "Serious harm", Variants: []string{"Serious injury", "Serious harm or injury"}}}},
		{Key: "looked_after", Label: "Was the child looked after?", Type: YesNo, Variants: []string{"Looked after", "Looked after child", "Child looked after"}},
		{Key: "notifier_name", Label: "Name of person notifying", Variants: []string{"Submitted by", "Notifier", "Your name", "Name of notifier"}},
		{Key: "notifier_email", Label: "Email of person notifying", Type: Email, Variants: []string{"Notifier email", "Your email", "Email address"}},
	},
}

// termsOfReferenceSpec is Appendix 6, the CSPR Terms of Reference: what the review looks
// at, its timetable (7.0), its panel (8.0), its lead reviewer (9.0) and the agencies
// chronologies and reports are requested from (11.0).
var termsOfReferenceSpec = &FormSpec{
	Kind:          KindTermsOfReference,
	Title:         "Child Safeguarding Practice Review Terms of Reference",
	TitleVariants: []string{"CSPR Terms of Reference", "Terms of Reference", "CSPR Terms of Reference Template", "LCSPR Terms of Reference", "Local Child Safeguarding Practice Review Terms of Reference"},
	Fields: []FieldSpec{
		{Key: "case_ref", Label: "Case reference", Variants: []string{"Our reference", "LSCP reference", "Case ref", "Reference"}},
		{Key: "child_initials", Label: "Child's anonymised initials", Variants: []string{"Child's initials", "Anonymised initials", "Child initials"}},
		{Key: "rapid_review_feedback", Label: "Rapid Review & National Child Safeguarding Practice Review Panel Feedback", Type: Long,
			Variants: []string{"Rapid Review & National Child Safeguarding Practice Review Panel Feedback Recommendation", "Rapid Review and Panel Feedback", "Rapid Review feedback"}},
		{Key: "incident_outline", Label: "Serious Incident Outline", Type: Long, Variants: []string{"Incident outline", "Outline of the serious incident"}},
		{Key: "case_history", Label: "Brief Case History", Type: Long, Variants: []string{"Brief Case History (please refer to 4.0 family details)", "Case history", "Family History & Previous Service Involvement"}},
		{Key: "review_period_from", Label: "The Child Safeguarding Practice Review reference period is from", Type: DateRange,
			Variants: []string{"Reference period", "Review period", "Period under review", "Reference period from", "Scope period"}},
		{Key: "review_period_to", Label: "Reference period to", Type: Date, Variants: []string{"Review period to", "Period to"}},
		{Key: "themes", Label: "Themes", Type: Long, Variants: []string{"Safeguarding themes", "Themes to learn from"}},
		{Key: "key_lines_of_enquiry", Label: "Key Lines of Enquiry", Type: Long, Variants: []string{"KLOE", "Key lines of enquiry (KLOE)", "Lines of enquiry"}},
		{Key: "methodology", Label: "Review Methodology", Type: Long, Variants: []string{"Methodology"}},
		{Key: "lead_reviewer", Label: "Lead reviewer", Variants: []string{"Commissioned reviewer", "Independent reviewer", "Lead Reviewer appointed", "Reviewer", "Name of lead reviewer"}},
		{Key: "lead_reviewer_email", Label: "Lead reviewer email", Type: Email, Variants: []string{"Reviewer email", "Lead reviewer's email", "Email of lead reviewer"}},
		{Key: "parallel_investigations", Label: "Parallel Investigations", Type: Long, Variants: []string{"Parallel processes"}},
		{Key: "family_engagement", Label: "Child & Family Engagement – Think Family", Type: Long, Variants: []string{"Child & Family Engagement", "Family engagement", "Child and family engagement"}},
		{Key: "publication_plan", Label: "Media, Publication & Support Planning", Type: Long, Variants: []string{"Publication plan", "Media and publication"}},
	},
	Tables: []TableSpec{
		{
			Name:  "timetable",
			Label: "Outline Timetable",
			Columns: []FieldSpec{
				{Key: "action", Label: "Action", Variants: []string{"Action:", "Task", "Activity", "Timeline"}},
				{Key: "responsible", Label: "Responsible Person", Variants: []string{"Responsible", "Responsible Person:", "Who", "Lead", "Owner"}},
				{Key: "date", Label: "Date Required", Type: Date, Variants: []string{"Date Required:", "Date", "By when", "Due", "Due date", "Deadline"}},
				{Key: "completed", Label: "Date of Completion", Variants: []string{"Date of Completion:", "Completed", "Date completed"}},
			},
		},
		{
			Name:  "panel",
			Label: "Local Child Safeguarding Practice Review Panel Members",
			Columns: []FieldSpec{
				{Key: "name", Label: "Name", Variants: []string{"Name:", "Panel member"}},
				{Key: "role", Label: "Role", Variants: []string{"Role:", "Job title", "Position"}},
				{Key: "organisation", Label: "Organisation", Variants: []string{"Organisation:", "Agency", "Organization"}},
			},
		},
		{
			Name:     "agencies",
			Label:    "Chronologies and conversations will be requested from",
			List:     "agency",
			Headings: []string{"Chronologies & Agency Reports", "Chronologies and agency reports will be requested from", "Agencies asked for chronologies"},
			Columns: []FieldSpec{
				{Key: "agency", Label: "Agency", Variants: []string{"Organisation", "Agencies", "Agency name"}},
				{Key: "contact", Label: "Contact", Variants: []string{"Lead", "Safeguarding lead"}},
				{Key: "email", Label: "Email", Type: Email, Variants: []string{"E-mail", "Email address"}},
			},
		},
	},
	Other: []string{"Table of Contents", "Confidential Family Details", "Information Security & Ownership", "Scope of Child Safeguarding Practice Review", "Scope of Review",
		"Commissioning Child Safeguarding Practice Review – lead reviewer", "Ancillary Costs", "Information & Documentation for Child Safeguarding Practice Review Lead Reviewer",
		"Learning Dissemination Strategy", "Appendices", "Financial Remuneration", "Chronologies & Agency Reports"},
}

// actionPlanSpec is the multi-agency action plan a review ends with: each action, its
// owner agency, its due date, and the evidence that it is done.
var actionPlanSpec = &FormSpec{
	Kind:          KindActionPlan,
	Title:         "Multi-Agency Action Plan",
	TitleVariants: []string{"Action Plan", "CSPR Action Plan", "LCSPR Action Plan", "Multi Agency Action Plan", "Child Safeguarding Practice Review Action Plan"},
	Fields: []FieldSpec{
		{Key: "case_ref", Label: "Case reference", Variants: []string{"Our reference", "LSCP reference", "Case ref", "Reference"}},
		{Key: "child_initials", Label: "Child's anonymised initials", Variants: []string{"Child's initials", "Anonymised initials", "Child initials"}},
	},
	Tables: []TableSpec{{
		Name:  "actions",
		Label: "Actions",
		Columns: []FieldSpec{
			{Key: "recommendation", Label: "Recommendation", Variants: []string{"Recommendations", "Rec", "Rec no", "No"}},
			{Key: "action", Label: "Action", Variants: []string{"Actions", "Action required", "SMART action"}},
			{Key: "owner", Label: "Owner agency", Variants: []string{"Owner", "Lead agency", "Responsible agency", "By whom", "Agency", "Lead"}},
			{Key: "due", Label: "Due date", Type: Date, Variants: []string{"Due", "Timescale", "By when", "Target date", "Deadline"}},
			{Key: "evidence", Label: "Evidence", Variants: []string{"Evidence of completion", "Evidence of implementation"}},
			{Key: "status", Label: "Status", Variants: []string{"RAG", "Progress"}},
		},
	}},
}
