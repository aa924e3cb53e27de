package parser

// ValueType says how a field's text is normalised.
type ValueType int

const (
	Text  ValueType = iota // kept as written (trimmed)
	Date                   // YYYY-MM-DD
	YesNo                  // yes | no
	Email                  // an address pulled out of the text
	Long                   // multi-line free text
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
}

// TableSpec describes a repeating table of a form.
type TableSpec struct {
	Name    string
	Label   string // heading printed above the table on forms we send
	Columns []FieldSpec
}

// FormSpec describes one form.
type FormSpec struct {
	Kind   Kind
	Title  string      // the heading printed on the form
	Fields []FieldSpec // in the order the form asks them
	Tables []TableSpec
}

// Spec returns the description of a form kind, or nil for KindUnknown.
func Spec(k Kind) *FormSpec {
	for _, s := range specs {
		if s.Kind == k {
			return s
		}
	}
	return nil
}

var specs = []*FormSpec{scopingSpec}

// scopingSpec is Appendix 3, whose body the guidance leaves to us (forms.md).
var scopingSpec = &FormSpec{
	Kind:  KindScopingReturn,
	Title: "Rapid Review Initial Scoping and Information Sharing",
	Fields: []FieldSpec{
		{Key: "case_ref", Label: "Case reference", Variants: []string{"Reference", "Our reference", "LSCP reference", "Ref"}},
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
