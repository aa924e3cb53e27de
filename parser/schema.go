package parser

// ValueType says how a field's text is normalised.
type ValueType int

const (
	Text         ValueType = iota // kept as written (trimmed)
	Date                          // YYYY-MM-DD
	YesNo                         // yes | no
	Email                         // an address pulled out of the text
	Long                          // multi-line free text
	Choice                        // one of Options, by its Key (ticked box, letter or words)
	MultiChoice                   // every ticked one of Options, keys comma-separated in spec order
	DateRange                     // "from – to": the field's key ends in _from; the _to key gets the end
	IncidentDate                  // a date, and the kind of incident (death|serious_harm) beside it
)

// FieldSpec describes one field of a form: its key in the output, the label the
// official template prints, and the other ways people write that label. The same
// description drives both the reader (label matching) and the forms this project
// generates (templates/), so the two cannot drift apart.
type FieldSpec struct {
	Key      string
	Label    string   // as printed on the forms we send
	Variants []string // reworded or shortened labels a person retyping the form might use
	Type     ValueType
	Hint     string // guidance printed under the label on forms we send; optional

	// Section, when set, limits Label and Local to the part of the form under that
	// section's heading (FormSpec.Sections): the referral asks "Name" of both the
	// referrer and the safeguarding lead. Variants match anywhere.
	Section string
	Local   []string
	Options []Option // for Choice and MultiChoice
	// Other names the field that takes the "Please state" text of the chosen option.
	Other string
}

// Option is one answer of a Choice or MultiChoice field.
type Option struct {
	Key      string
	Label    string
	Variants []string
}

// SectionSpec is a heading that opens a part of a form (see FieldSpec.Section).
// A section with an empty Key closes the one before.
type SectionSpec struct {
	Key      string
	Label    string
	Variants []string
}

// TableSpec describes a repeating table of a form.
type TableSpec struct {
	Name    string
	Label   string // heading printed above the table on forms we send
	Columns []FieldSpec
	// Groups, when set, are rows that head a group of rows (such as "Immediate
	// Family"); the rows under one get Group's Key in column GroupColumn.
	GroupColumn string
	Groups      []Option
	// List, when set, is the column a one-column table of this kind lists, one value
	// a row: under a header row naming the column (or starting with one of its
	// labels: "Agencies asked for chronologies"), or with no header under a line
	// that is, or ends with, Label or one of Headings.
	List     string
	Headings []string
}

// FormSpec describes one form.
type FormSpec struct {
	Kind   Kind
	Title  string      // the heading printed on the form
	Fields []FieldSpec // in the order the form asks them
	Tables []TableSpec

	TitleVariants []string      // other headings that name this form
	Sections      []SectionSpec // headings that scope FieldSpec.Section
	// Other are labels the form prints whose answers we do not keep; knowing them
	// stops their answers being read as the answer to the field above.
	Other []string
	// Required fields get a warning when missing.
	Required []string
}

// Specs returns the descriptions of every known form.
func Specs() []*FormSpec { return specs }

// Spec returns the description of a form kind, or nil for KindUnknown.
func Spec(k Kind) *FormSpec {
	for _, s := range specs {
		if s.Kind == k {
			return s
		}
	}
	return nil
}

var specs = []*FormSpec{referralSpec, scopingSpec, rapidReviewSpec, chronologySpec, agencyReportSpec}

// scopingSpec is Appendix 3, whose body the guidance leaves to us (forms.md).
var scopingSpec = &FormSpec{
	Kind:          KindScopingReturn,
	Title:         "Rapid Review Initial Scoping and Information Sharing",
	TitleVariants: []string{"Initial Scoping and Information Sharing", "Rapid Review Initial Scoping and Information Sharing Document", "Initial Scoping and Information Sharing Form", "Scoping return", "Initial scoping return"},
	Other:         []string{"About you", "Your details", "Involvement", "Key involvement", "Potential Child Safeguarding Practice Review", "Details of the child"},
	Fields: []FieldSpec{
		{Key: "case_ref", Label: "Case reference", Variants: []string{"Reference", "Our reference", "LSCP reference", "Ref", "Case ref", "Ref. no", "Ref no", "Your ref", "LSCP ref"}},
		{Key: "child_initials", Label: "Child's anonymised initials", Variants: []string{"Child's initials", "Initials", "Anonymised initials"}},
		{Key: "agency", Label: "Agency", Variants: []string{"Organisation", "Agency completing this form", "Name of agency"}},
		{Key: "completed_by", Label: "Completed by", Variants: []string{"Name", "Your name", "Name of person completing"}},
		{Key: "role", Label: "Role", Variants: []string{"Job title", "Designation", "Role/title"}},
		{Key: "email", Label: "Email", Type: Email, Variants: []string{"E-mail", "Email address", "E-mail address"}},
		{Key: "phone", Label: "Telephone", Variants: []string{"Phone", "Tel", "Telephone number", "Contact number"}},
		{Key: "date_completed", Label: "Date completed", Type: Date, Variants: []string{"Date", "Date of completion", "Completed on"}},
		{Key: "child_known", Label: "Did your agency have any involvement with the child?", Type: YesNo, Variants: []string{"Child known to agency", "Is the child known to your agency?", "Involvement with child"}},
		{Key: "family_known", Label: "Did your agency have any involvement with any named family member?", Type: YesNo, Variants: []string{"Family known to agency", "Are any family members known to your agency?", "Involvement with family"}},
		{Key: "family_members_known", Label: "Which family members are known to your agency?", Variants: []string{"Family members known", "Known family members"}},
		{Key: "involvement_summary", Label: "Summary of your agency's involvement", Type: Long, Variants: []string{"Summary of involvement", "Involvement summary", "Brief summary of involvement"}},
		{Key: "open_now", Label: "Is your agency currently involved with the child or family?", Type: YesNo, Variants: []string{"Currently open", "Open to agency now", "Current involvement"}},
		{Key: "records_secured", Label: "Have all records been secured?", Type: YesNo, Variants: []string{"Records secured", "Records / files secured"}},
		{Key: "immediate_concerns", Label: "Are there any immediate safeguarding concerns or actions needed?", Type: Long, Variants: []string{"Immediate concerns", "Immediate safeguarding concerns"}},
		{Key: "learning", Label: "Any early learning identified by your agency", Type: Long, Variants: []string{"Learning", "Early learning", "Learning identified"}},
	},
	Tables: []TableSpec{{
		Name:  "involvement",
		Label: "Key involvement (most recent first)",
		Columns: []FieldSpec{
			{Key: "date", Label: "Date", Type: Date},
			{Key: "person", Label: "Person (child or family member)", Variants: []string{"Person", "Who"}},
			{Key: "event", Label: "Contact / event", Variants: []string{"Event", "Contact"}},
			{Key: "outcome", Label: "Outcome", Variants: []string{"Result", "Action / outcome"}},
		},
	}},
}

// familyTable is "Details of Family Members and any Significant Others", asked by the
// referral (1.2) and the Rapid Review report (1.1).
var familyTable = TableSpec{
	Name:  "family_members",
	Label: "Details of Family Members and any Significant Others",
	Columns: []FieldSpec{
		{Key: "name_address", Label: "Name and Address", Variants: []string{"Name & address", "Name/address", "Name", "Full name and address", "Name and address of family member"}},
		{Key: "relationship", Label: "Relationship to Child", Variants: []string{"Relationship", "Relationship to the child", "Relationship to subject child"}},
		{Key: "dob", Label: "Date of Birth", Type: Date, Variants: []string{"DOB", "D.O.B.", "Date of birth (DOB)", "Birth date"}},
		{Key: "legal_status", Label: "Legal Status", Variants: []string{"Legal status (e.g. parental responsibility)", "Status"}},
		{Key: "ethnic_origin", Label: "Ethnic Origin", Variants: []string{"Ethnicity", "Ethnic background"}},
		{Key: "group", Label: "Group", Variants: []string{"Immediate or extended family", "Family group"}},
	},
	GroupColumn: "group",
	Groups: []Option{
		{Key: "immediate", Label: "Immediate Family", Variants: []string{"Immediate", "Subject Child", "Household", "Immediate family members"}},
		{Key: "extended", Label: "Extended Family", Variants: []string{"Extended", "Extended family members", "Significant others", "Extended Family and Significant Others"}},
	},
}

// referralSpec is Appendix 1, Referral of a Serious Incident.
var referralSpec = &FormSpec{
	Kind:  KindReferral,
	Title: "Referral of a Serious Incident Form",
	TitleVariants: []string{"Referral form to the LSCP Serious Incident Notification", "Serious Incident Notification",
		"Referral of a Serious Incident", "Serious Incident Referral", "Referral for a Child Safeguarding Practice Review",
		"Serious incident referral form", "Referral to the LSCP", "Child Safeguarding Practice Review Referral", "CSPR referral", "CSPR referral form", "Serious incident notification form"},
	Sections: []SectionSpec{
		{Key: "referrer", Label: "Agency Referral Author", Variants: []string{"Referral author", "Referrer", "Referrer details", "Details of referrer", "Referrer's details", "Person making the referral", "Agency referral author details"}},
		{Key: "dsl", Label: "Please give the details of the designated safeguarding lead/officer with whom you have discussed the case.",
			Variants: []string{"Designated safeguarding lead", "Designated safeguarding lead/officer", "DSL", "DSL details", "Details of designated safeguarding lead", "Designated safeguarding lead details", "Designated safeguarding lead/officer consulted", "Safeguarding lead"}},
		{Key: "", Label: "Section 1: Brief overview of child and family composition", Variants: []string{"Child's Details", "Child details", "Details of the child", "Section 1", "Brief overview of child and family composition", "Section 2: Case Background", "Case background"}},
	},
	Fields: []FieldSpec{
		{Key: "child_name", Label: "Name of Child", Variants: []string{"Child's name", "Child name", "Name of the child", "Child's full name", "Name of child/young person", "Child/young person's name", "Full name of child", "Subject child"}},
		{Key: "date_of_referral", Label: "Date of Referral", Type: Date, Variants: []string{"DoR", "D.O.R.", "Date of ref.", "Ref. date", "Referral dt", "Referral date", "Date referred", "Date of this referral", "Date referral made", "Date"}},
		{Key: "referrer_name", Section: "referrer", Label: "Name", Local: []string{"Full name", "Name of referrer"},
			Variants: []string{"Ref. by", "Ref by", "Referred by (name)", "Referrer's name (print)", "Referrer's name", "Referrer name", "Name of referrer", "Referral author name", "Agency referral author name", "Referred by"}},
		{Key: "referrer_agency", Section: "referrer", Label: "AGENCY & DESIGNATION/TITLE", Local: []string{"Agency", "Agency and designation", "Agency & designation / title", "Designation", "Designation/title", "Job title", "Role", "Agency/designation", "Agency & role", "Agency and role", "Agency, designation/title", "Organisation and role"},
			Variants: []string{"Referrer's org.", "Referrer org", "Referrer's organisation", "Referrer organisation", "Referring org.", "Referring organisation", "Ref. agency", "Referrer's agency/org.", "Referrer's agency", "Referrer agency", "Referring agency", "Referrer's agency and designation", "Referrer agency & designation", "Referrer agency and designation/title", "Referrer's agency & designation/title", "Referrer's role", "Referrer designation", "Referrer agency and role", "Referrer's agency and role", "Referrer's agency & designation", "Referrer agency/role", "Referrer role"}},
		{Key: "referrer_contact", Section: "referrer", Label: "CONTACT DETAILS – Address, telephone number and e-mail address", Local: []string{"Contact details", "Contact", "Address, telephone and email", "Contact details (address, telephone, email)", "Contact details - address, telephone number and email address", "Telephone", "Phone", "Address"},
			Variants: []string{"Referrer tel.", "Referrer's tel.", "Ref. contact", "Referrer's phone", "Referrer's contact details", "Referrer contact details", "Referrer contact", "Referrer's contact", "Referrer telephone", "Referrer phone", "Referrer contact number"}},
		{Key: "referrer_email", Section: "referrer", Type: Email, Label: "Email", Local: []string{"Email address", "E-mail address"},
			Variants: []string{"Ref. email", "Referrer's e-mail", "Referrer's email", "Referrer email", "Referrer's email address", "Referrer email address"}},
		{Key: "dsl_name", Section: "dsl", Label: "Name", Local: []string{"Full name", "Name of DSL", "Name of designated safeguarding lead"},
			Variants: []string{"DSL name", "DSL's name", "Designated safeguarding lead name", "Name of designated safeguarding lead", "Name of DSL", "Designated safeguarding lead/officer name", "Safeguarding lead name"}},
		{Key: "dsl_agency", Section: "dsl", Label: "AGENCY & DESIGNATION/TITLE", Local: []string{"Agency", "Agency and designation", "Agency & designation / title", "Designation", "Designation/title", "Job title", "Role", "Agency/designation", "Agency & role", "Agency and role", "Agency, designation/title", "Organisation and role"},
			Variants: []string{"DSL org.", "DSL organisation", "DSL's org.", "DSL agency", "DSL's agency", "DSL agency and designation", "DSL agency & designation", "DSL agency & designation/title", "DSL agency and designation/title", "Designated safeguarding lead agency", "DSL role", "DSL designation", "DSL agency and role", "DSL's agency and role", "DSL agency/role", "DSL's agency & designation"}},
		{Key: "dsl_contact", Section: "dsl", Label: "CONTACT DETAILS – Address, telephone number and e-mail address", Local: []string{"Contact details", "Contact", "Address, telephone and email", "Contact details (address, telephone, email)", "Contact details - address, telephone number and email address", "Telephone", "Phone", "Address"},
			Variants: []string{"DSL tel.", "DSL's tel.", "DSL's phone", "DSL contact details", "DSL's contact details", "DSL contact", "Designated safeguarding lead contact details", "DSL telephone", "DSL phone", "DSL's contact details", "DSL contact number"}},
		{Key: "dsl_email", Section: "dsl", Type: Email, Label: "Email", Local: []string{"Email address", "E-mail address"},
			Variants: []string{"DSL email", "DSL's email", "DSL email address", "Designated safeguarding lead email"}},
		{Key: "child_dob", Label: "Date of Birth", Type: Date, Variants: []string{"DOB", "D.O.B.", "Child's date of birth", "Child's DOB", "Child DOB", "Date of birth of child", "Child date of birth", "Birth date", "Date of birth (child)"}},
		{Key: "home_address", Label: "Home address", Variants: []string{"Address", "Child's address", "Home address of child", "Child's home address", "Address of child"}},
		{Key: "gender", Label: "Gender", Variants: []string{"Sex", "Child's gender", "Gender of child"}},
		{Key: "ethnic_origin", Label: "Ethnic Origin", Variants: []string{"Ethnicity", "Child's ethnicity", "Ethnic background", "Child's ethnic origin"}},
		{Key: "religion", Label: "Faith/Religion", Variants: []string{"Religion", "Faith", "Religion/faith", "Faith or religion", "Child's religion"}},
		{Key: "disability", Label: "Disability", Variants: []string{"Disabilities", "Any disability", "Does the child have a disability?", "Disability (if any)", "SEND/disability"}},
		{Key: "looked_after", Label: "Is the child/young person looked after?", Type: YesNo, Variants: []string{"Looked after", "Looked after child", "Is the child looked after?", "Looked after?", "LAC", "Child looked after", "Is the child/young person a looked after child?", "Looked after status", "Is the young person looked after?", "CLA"}},
		{Key: "cp_plan", Label: "Is the child/young person subject to a child protection plan or has been previously? (If so when, for what and for how long?)",
			Variants: []string{"Child protection plan", "CP plan", "Subject to a child protection plan", "Is the child subject to a child protection plan?", "Child protection plan (current or previous)", "Subject to CP plan", "Is the child/young person subject to a child protection plan?", "Is the child subject to a child protection plan or has been previously?", "CP plan (current or previous)"}},
		{Key: "open_to_csc", Label: "Is the child/young person open to Children’s Social Care or a Children & Families Practice (if so, who is the lead practitioner)?",
			Variants: []string{"Open to Children's Social Care", "Open to CSC", "Is the child open to Children's Social Care?", "Children's Social Care involvement", "Open to children's social care or a children and families practice", "Is the child/young person open to Children's Social Care?", "Open to social care", "CSC involvement", "Lead practitioner", "Open to CSC / lead practitioner", "Open to CSC (lead practitioner)"}},
		{Key: "incident_date", Label: "Date of Death or Serious Incident (please specify which)", Type: IncidentDate,
			Variants: []string{"DoI", "Date of death/incident", "Date of death or incident", "Date of death or serious incident", "Date of incident", "Incident date", "Date of death/serious incident", "Date of the incident", "Date of death or serious incident (specify which)", "Date of Death or Serious Incident (please specific which)", "Date and type of incident", "Incident (death or serious harm) and date"}},
		{Key: "incident_location", Label: "Address of location of incident", Variants: []string{"Location of incident", "Incident location", "Address of incident", "Place of incident", "Where the incident happened", "Address/location of incident", "Location"}},
		{Key: "carer_at_incident", Label: "Carer at time of incident", Variants: []string{"Carer at the time of the incident", "Carer at time of the incident", "Carer", "Who was caring for the child", "Carer at incident", "Who was the carer at the time of the incident?"}},
		{Key: "criminal_investigation", Label: "Is this case known to be the subject of a criminal investigation? (If so, who is the lead investigator?)",
			Variants: []string{"Criminal investigation", "Subject of a criminal investigation", "Is there a criminal investigation?", "Criminal investigation (lead investigator)", "Is this case the subject of a criminal investigation?", "Police investigation", "Criminal investigation / lead investigator", "Criminal investigation (lead investigator)", "Lead investigator"}},
		{Key: "coroner_inquiry", Label: "Is this case known to be the subject of a Coroner’s Inquiry? (If so, who is the key contact?)",
			Variants: []string{"Coroner's inquiry", "Coroner inquiry", "Coroner's inquest", "Inquest", "Subject of a Coroner's Inquiry", "Is there a Coroner's inquiry?", "Is this case the subject of a Coroner's Inquiry?", "Coroner", "Coroner / key contact", "Coroner's inquiry / key contact"}},
		{Key: "adult_safeguarding", Label: "Are there any adult safeguarding concerns and have these been shared via completing an Adult referral form? (If so, who is the key contact?",
			Variants: []string{"Adult safeguarding concerns", "Adult safeguarding", "Any adult safeguarding concerns", "Are there any adult safeguarding concerns?", "Adult safeguarding concerns shared", "Adult safeguarding / key contact", "Adult safeguarding concerns / key contact"}},
		{Key: "siblings_action", Label: "What action has been undertaken to safeguard and protect any siblings of the child who is the subject of this referral?",
			Variants: []string{"Action to protect siblings", "Siblings", "Action taken to safeguard siblings", "Action to safeguard siblings", "Action taken to protect siblings", "Siblings - action taken", "Safeguarding of siblings"}},
		{Key: "presenting_concerns", Label: "Presenting Concerns", Type: Long, Variants: []string{"Presenting concern", "Concerns"}},
		{Key: "case_history", Label: "Case History", Type: Long, Variants: []string{"History", "Background history", "Case background history"}},
		{Key: "extended_family", Label: "Extended Family Involvement (as required)", Type: Long, Variants: []string{"Extended family involvement", "Extended family"}},
		{Key: "other_information", Label: "Any Other Relevant Information", Type: Long, Variants: []string{"Other relevant information", "Other information", "Any other information", "Any other relevant info"}},
		{Key: "reason_for_referral", Label: "Please outline why you are making this referral:", Type: Long,
			Variants: []string{"Reason for referral", "Reasons for referral", "Why are you making this referral?", "Reason for making this referral", "Why this referral is being made", "Rationale for referral", "Reason for this referral", "Outline why you are making this referral"}},
		{Key: "additional_information", Label: "Please add any additional information you think may be relevant and may assist decision-making:", Type: Long,
			Variants: []string{"Additional information", "Any additional information", "Further information", "Additional relevant information", "Anything else"}},
	},
	Tables: []TableSpec{
		familyTable,
		{
			Name:  "agencies",
			Label: "Other agencies known to be involved",
			Columns: []FieldSpec{
				{Key: "agency", Label: "Agency", Variants: []string{"Agency name", "Organisation", "Service", "Agency/organisation", "Name of agency"}},
				{Key: "contact", Label: "Contact Details: Address, Telephone and E-mail", Variants: []string{"Contact details", "Contact", "Contact name", "Contact details (address, telephone, email)", "Contact details: address, telephone and email", "Contact details - address, telephone and e-mail", "Contact person", "Named contact"}},
				{Key: "email", Label: "Email", Type: Email, Variants: []string{"E-mail", "Email address", "E-mail address", "Contact email"}},
				{Key: "reason", Label: "Reason for involvement ( inc. whether current or not)", Variants: []string{"Reason for involvement", "Reason", "Involvement", "Reason for involvement (including whether current or not)", "Reason for involvement (current or not)", "Nature of involvement", "Why involved", "Why involved (current?)", "Reason involved"}},
			},
		},
		{
			Name:  "events",
			Label: "Please use the chronology table below to outline any events around the time of the incident.",
			Columns: []FieldSpec{
				{Key: "when", Label: "Date & Time", Type: Date, Variants: []string{"Date and time", "Date/time", "Date", "When", "Date & time of event"}},
				{Key: "event", Label: "Event", Variants: []string{"Events", "Event details", "What happened", "Description", "Key event"}},
			},
		},
	},
	Other:    []string{"Agency Referral Author", "Background Information", "Details of Family Members and any Significant Others", "Other agencies known to be involved", "Please provide a brief outline of the child and family circumstances and the incident that triggered this referral", "Please use the chronology table below to outline any events around the time of the incident", "PLEASE NOTE", "NOTE: THE ABOVE SHOULD FOLLOW A DISCUSSION WITH A NOMINATED MANAGER OR SAFEGUARDING ADVISOR IN YOUR AGENCY", "Section 3: Advice and Submission of this Form", "Section 2: Case Background", "Immediate Family", "Extended Family", "Subject Child"},
	Required: []string{"child_name", "date_of_referral"},
}

// rapidReviewSpec is Appendix 5, the Rapid Review report to the National Panel.
var rapidReviewSpec = &FormSpec{
	Kind:  KindRapidReviewReport,
	Title: "Report of Rapid Review Decisions and Recommendations for Submission to National Child Safeguarding Practice Review Panel",
	TitleVariants: []string{"Report of Rapid Review Decisions and Recommendations", "Rapid Review Report", "Rapid Review Report Template",
		"Rapid Review decisions and recommendations", "Report of Rapid Review"},
	Fields: []FieldSpec{
		{Key: "child_name", Label: "Name of Child", Variants: []string{"Child's name", "Child name", "Name of the child", "Child's full name", "Subject child"}},
		{Key: "date_of_rapid_review", Label: "Date of Rapid Review", Type: Date, Variants: []string{"Rapid review date", "Date of review", "Date of the Rapid Review", "Date of meeting", "Rapid review meeting date", "Date of Rapid Review meeting", "Date of the Rapid Review meeting", "Date"}},
		{Key: "immediate_action", Label: "Has ALL appropriate immediate action been taken to ensure children’s safety and share any learning appropriately?", Type: YesNo,
			Variants: []string{"Immediate action taken", "Immediate action taken?", "Has all appropriate immediate action been taken?", "Immediate action", "Has appropriate immediate action been taken?", "All immediate action taken", "Has all appropriate immediate action been taken to ensure children's safety?", "Has all immediate action been taken?", "Has all immediate action been taken", "Immediate action taken (yes/no)"}},
		{Key: "immediate_action_details", Label: "Please give details of action taken. If no, what actions need to be taken? When will these be taken and by whom?", Type: Long,
			Variants: []string{"Details of action taken", "Immediate action details", "Details of immediate action", "Action taken", "Actions taken", "Details of action", "Please give details of action taken", "Actions needed", "Action details", "Immediate action - details"}},
		{Key: "criteria", Type: MultiChoice, Hint: "Tick all that are relevant. These should be agreed by all participants in the Rapid Review.", Label: "Those present at the Rapid Review have considered whether to carry out a local child safeguarding practice review and have agreed that the case has the potential to meet the following criteria:",
			Variants: []string{"Criteria", "Criteria met", "Criteria for review", "Identifying Improvements to Safeguard and Promote the Welfare of Children", "Review criteria", "Potential to meet the following criteria"},
			Options: []Option{
				{Key: "improvements_needed", Label: "highlights or may highlight improvements needed to safeguard and promote the welfare of children, including where those improvements have been previously identified", Variants: []string{"improvements needed", "improvements needed to safeguard"}},
				{Key: "recurrent_themes", Label: "highlights or may highlight recurrent themes in the safeguarding and promotion of the welfare of children", Variants: []string{"recurrent themes"}},
				{Key: "multi_agency_concerns", Label: "highlights or may highlight concerns regarding two or more organisations or agencies working together effectively to safeguard and promote the welfare of children", Variants: []string{"multi-agency concerns", "two or more organisations", "multi agency concerns", "agencies working together"}},
				{Key: "panel_local_review", Label: "is one which the Child Safeguarding Practice Review Panel have considered and concluded a local review may be more appropriate", Variants: []string{"panel local review", "panel concluded a local review", "local review may be more appropriate"}},
				{Key: "single_agency_concern", Label: "safeguarding partners have cause for concern about the actions of a single agency", Variants: []string{"single agency concern", "actions of a single agency", "single-agency concern"}},
				{Key: "no_agency_involvement", Label: "there has been no agency involvement and this gives the safeguarding partners cause for concern", Variants: []string{"no agency involvement"}},
				{Key: "cross_boundary", Label: "more than one local authority, police area or clinical commissioning group is involved, including in cases where families have moved around", Variants: []string{"cross boundary", "cross-boundary", "more than one local authority"}},
				{Key: "institutional_setting", Label: "the case may raise issues relating to safeguarding or promoting the welfare of children in institutional settings", Variants: []string{"institutional setting", "institutional settings"}},
				{Key: "none", Label: "None of the above", Variants: []string{"none"}},
			}},
		{Key: "discussion", Label: "Record of Rapid Review discussion and case analysis against the criteria for statutory review processes.", Type: Long,
			Hint:     "The Rapid Review conclusion should clarify the nature of harm suffered and whether it meets the criteria for serious harm and/or long term impairment of health. If the Rapid Review identifies immediate learning that can be acted upon, the outcome should be summarised:",
			Variants: []string{"Rapid Review Discussions", "Rapid Review discussion", "Discussion", "Record of discussion", "Record of Rapid Review discussion", "Discussion and case analysis", "Case analysis"}},
		{Key: "legal_advice", Label: "Has legal advice been sought? If yes, please give details.", Variants: []string{"Legal advice", "Has legal advice been sought?", "Legal advice sought", "Legal advice sought?"}},
		{Key: "learning_dissemination", Label: "Learning and Dissemination (please provide a record of plans to disseminate learning from the review)", Type: Long,
			Variants: []string{"Learning and dissemination", "Dissemination of learning", "Plans to disseminate learning", "Learning & dissemination", "Learning"}},
		{Key: "recommendation", Type: Choice, Other: "recommendation_other", Label: "After completing this Rapid Review it has been agreed that this case:",
			Variants: []string{"Recommendation", "Section 3: Recommendation", "Agreed recommendation", "Recommendation (a-j)", "Decision", "Outcome of Rapid Review", "Recommendation of the Rapid Review"},
			Options: []Option{
				{Key: "a", Label: "Meets the criteria for a national Child Safeguarding Practice Review", Variants: []string{"national CSPR", "national review"}},
				{Key: "b", Label: "Meets the criteria for a local Child Safeguarding Practice Review", Variants: []string{"local CSPR", "local child safeguarding practice review"}},
				{Key: "c", Label: "Does not meet the criteria but warrants an alternative Learning Review", Variants: []string{"alternative learning review"}},
				{Key: "d", Label: "Warrants consideration of DHR, SAR, MAPPA SFO or other", Variants: []string{"consideration of DHR"}},
				{Key: "e", Label: "Warrants a Single-Agency Review", Variants: []string{"single agency review"}},
				{Key: "f", Label: "Warrants a Multi-Agency Audit", Variants: []string{"multi agency audit"}},
				{Key: "g", Label: "Warrants a Single Agency Audit", Variants: []string{"single-agency audit"}},
				{Key: "h", Label: "Needs no Further Action", Variants: []string{"no further action", "NFA"}},
				{Key: "i", Label: "The Rapid Review has identified learning that has been acted upon, obviating the need for further review", Variants: []string{"learning acted upon", "learning has been acted upon"}},
				{Key: "j", Label: "Other", Variants: []string{"Other (please state)"}},
			}},
		{Key: "recommendation_other", Label: "Please state", Variants: []string{"Other recommendation", "Recommendation other", "If other, please state", "Please state (other)"}},
		{Key: "rationale", Label: "Rationale for Recommendation", Type: Long,
			Hint: "When the Rapid Review decision is that a case does not meet the criteria for a Child Safeguarding Practice Review, other review options must be considered.", Variants: []string{"Rationale", "Rationale for the recommendation", "Reasons for recommendation", "Rationale for decision"}},
		{Key: "date_submitted_to_panel", Label: "Date this form submitted to the National Panel", Type: Date,
			Variants: []string{"Date submitted to panel", "Date submitted to the National Panel", "Submitted to panel", "Date submitted to National Panel", "Date sent to the National Panel", "Date form submitted to the National Panel", "Date submitted", "Submitted to National Panel on", "Submitted to the National Panel on", "Date sent to panel"}},
	},
	Tables: []TableSpec{
		{
			Name:  "participants",
			Label: "List of Participants in Rapid Review",
			Columns: []FieldSpec{
				{Key: "name", Label: "Name", Variants: []string{"Participant", "Participant name", "Full name"}},
				{Key: "role", Label: "Job Role/Title", Variants: []string{"Role", "Job title", "Role/title", "Job role", "Title", "Designation"}},
				{Key: "agency", Label: "Agency/Organisation", Variants: []string{"Agency", "Organisation", "Agency / organisation", "Service"}},
			},
		},
		familyTable,
	},
	Other: []string{"Purpose of the Rapid Review", "Background Information", "List of Participants in Rapid Review", "Section 1: Case Background", "Details of Family Members and Significant Others", "Case Summary",
		"Please provide a brief outline of the child and family circumstances and the incident that triggered this rapid review", "Documentation available to this Rapid Review",
		"Section 2: Consideration of Case, Criteria and Guidance", "Definition of terms", "Immediate Action", "Section 3: Recommendation"},
}

// chronologySpec is Appendix 10, the information-sharing chronology.
var chronologySpec = &FormSpec{
	Kind:          KindChronology,
	Title:         "Information-Sharing Chronology",
	TitleVariants: []string{"Chronology template", "Information sharing chronology", "Agency chronology", "Chronology"},
	Fields: []FieldSpec{
		{Key: "child_initials", Label: "Child’s Anonymised Initials", Variants: []string{"Anonymised initials", "Child's initials", "Initials", "Child initials", "Anonymised initials of child"}},
		{Key: "agency", Label: "Agency Completing Chronology", Variants: []string{"Agency", "Agency completing", "Organisation", "Agency name", "Agency completing the chronology"}},
		{Key: "completed_by", Label: "Completed by", Variants: []string{"Name of person completing", "Author", "Completed by (name)", "Name of author", "Written by", "Chronology completed by"}},
		{Key: "role", Label: "Role", Variants: []string{"Job title", "Designation", "Role/title", "Role of person completing"}},
		{Key: "date_of_completion", Label: "Date of Completion", Type: Date, Variants: []string{"Date completed", "Completion date", "Date of completion of chronology", "Completed on"}},
		{Key: "period_from", Label: "Dates covered by this Chronology", Type: DateRange, Variants: []string{"Period covered", "Dates covered", "Period from", "From", "Period covered by this chronology", "Dates covered by chronology", "Start of period"}},
		{Key: "period_to", Label: "Period to", Type: Date, Variants: []string{"To", "End of period", "Period end"}},
	},
	Tables: []TableSpec{{
		Name:  "entries",
		Label: "Chronology",
		Columns: []FieldSpec{
			{Key: "date", Label: "Date", Type: Date, Variants: []string{"Date (yyyy/mm/dd)", "Date of event", "Date (YYYY/MM/DD)"}},
			{Key: "sender", Label: "Inform sent cross borough Sender", Variants: []string{"Information sent cross borough Sender", "Sender", "Inform sent cross borough: Sender", "Sent by", "From"}},
			{Key: "subject", Label: "Information sent cross borough Subject", Variants: []string{"Inform sent cross borough Subject", "Subject", "Information sent cross borough: Subject", "About"}},
			{Key: "comms_within", Label: "Comms Within Agency", Variants: []string{"Communication within agency", "Within agency", "Comms within", "Communications within agency", "Internal comms"}},
			{Key: "comms_external", Label: "Comms External to Agency", Variants: []string{"Communication external to agency", "External to agency", "Comms external", "Communications external to agency", "External comms"}},
			{Key: "response", Label: "Response or outcome", Variants: []string{"Response", "Outcome", "Response/outcome", "Response / outcome"}},
			{Key: "source", Label: "Source of Evidence", Variants: []string{"Source", "Source of information", "Evidence source"}},
			{Key: "comment", Label: "Comment", Variants: []string{"Comments", "Comment on timeliness"}},
		},
	}},
	Other: []string{"Child's Name", "Child's Date of Birth", "Language/s spoken at home", "Child's Ethnicity", "Child's Religion", "Child's Legal Status",
		"Date of Authorisation", "Authorised by", "Dates of any period that the children have been subject to a Child Protection Plan", "Chronology Guidance"},
}

// agencyReportSpec is Appendix 9, the agency report for a CSPR or local learning review.
var agencyReportSpec = &FormSpec{
	Kind:          KindAgencyReport,
	Title:         "Agency Report",
	TitleVariants: []string{"Agency Report CSPR/Local Learning Review", "AGENCY REPORTCSPR/LOCAL LEARNING REVIEW", "Agency report for CSPR", "Individual agency report", "Agency report - CSPR"},
	Fields: []FieldSpec{
		{Key: "child_initials", Label: "Child’s Anonymised Initials", Variants: []string{"Anonymised initials", "Child's initials", "Initials", "Child initials"}},
		{Key: "agency", Label: "Agency Completing Report", Variants: []string{"Agency Completing Chronology", "Agency", "Agency completing", "Organisation", "Agency name", "Agency completing this report"}},
		{Key: "completed_by", Label: "Completed by", Variants: []string{"Name of person completing", "Author", "Report author", "Completed by (name)", "Report written by", "Written by", "Report completed by"}},
		{Key: "role", Label: "Role", Variants: []string{"Job title", "Designation", "Role/title", "Author's role"}},
		{Key: "date_of_completion", Label: "Date of Completion", Type: Date, Variants: []string{"Date completed", "Completion date", "Completed on", "Date of report", "Report date"}},
		{Key: "authorised_by", Label: "Authorised by (if required)", Variants: []string{"Authorised by", "Authorised", "Signed off by", "Approved by"}},
		{Key: "period", Label: "Dates covered by this Agency Report", Variants: []string{"Period covered", "Dates covered", "Period", "Period covered by this report", "Dates covered by this report"}},
		{Key: "summary", Label: "Summary of Involvement", Type: Long, Variants: []string{"Summary", "Summary of agency involvement", "Summary of your agency's involvement"}},
		{Key: "analysis", Label: "Analysis of Involvement", Type: Long, Variants: []string{"Analysis", "Analysis of agency involvement"}},
		{Key: "lessons", Label: "Are there lessons learned?", Type: Long,
			Variants: []string{"Lessons learned", "Lessons", "Lessons learnt", "Are there lessons learnt?", "Lessons learned?",
				"Are there lessons from this case for the way in which this organisation works to safeguard and promote the welfare of children?"}},
	},
	Tables: []TableSpec{{
		Name:  "actions",
		Label: "Recommendations for Action",
		Columns: []FieldSpec{
			{Key: "issue", Label: "Issue", Variants: []string{"Issues", "Issue identified"}},
			{Key: "action", Label: "Action", Variants: []string{"Actions", "Action required", "Recommended action"}},
			{Key: "by_whom", Label: "By whom", Variants: []string{"Who", "Responsible", "Lead", "By who", "Owner"}},
			{Key: "outcome", Label: "Outcome Sought", Variants: []string{"Outcome", "Outcomes sought", "Desired outcome", "Intended outcome"}},
			{Key: "evidence", Label: "Evidence of implementation", Variants: []string{"Evidence", "Evidence of completion"}},
			{Key: "timescale", Label: "Timescale", Variants: []string{"Timescales", "By when", "Deadline", "Target date"}},
		},
	}},
	Other: []string{"Child's Name", "Child's Date of Birth", "Date of Authorisation", "Introduction", "Purpose and scope of the review", "The Purpose of the Agency Report",
		"Family composition and genogram", "Recommendations for action", "Actions",
		"Are there implications for ways of working; training (single- and inter-agency); management and supervision; working in partnership with other organisations; resources?",
		"Are there any immediate statutory requirements for the notification of concerns?", "Are there likely to be any media management issues?",
		"When will your agency review these single agency actions?"},
}
