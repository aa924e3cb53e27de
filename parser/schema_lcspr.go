package parser

// The local review's forms (issue 10): the Terms of Reference (Appendix 6) and the
// multi-agency action plan. Kept apart from schema.go so that each can change without
// touching the other; registered in specs at start-up.

const (
	KindTermsOfReference Kind = "terms_of_reference" // Appendix 6
	KindActionPlan       Kind = "action_plan"        // the multi-agency action plan after a review
)

func init() { specs = append(specs, termsOfReferenceSpec, actionPlanSpec) }

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
			Name:  "agencies",
			Label: "Chronologies and conversations will be requested from",
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
