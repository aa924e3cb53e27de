package templates

import (
	"testing"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// The pre-filled chronology and agency report csprbot attaches to its requests say
// which case they are in the document itself, so the copy an agency fills in and sends
// back is read (by our parser, as any reader would) as that case's, whatever its file
// is called by then.
func TestLCSPRFormsCarryTheCaseReference(t *testing.T) {
	for _, k := range []parser.Kind{parser.KindChronology, parser.KindAgencyReport} {
		doc, err := scopingForm(cspr.FormView{CaseRef: "LSCP-2026-001", ChildInitials: "ET", AgencyName: "Metropolitan Police Service"}, formOptions{Spec: parser.Spec(k)})
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.Parse("returned.docx", doc, parser.Options{})
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if f.Kind != k || f.CaseRef != "LSCP-2026-001" || f.Fields["child_initials"] != "ET" {
			t.Errorf("%s form read back as %s, case %q, initials %q; want %s, LSCP-2026-001, ET", k, f.Kind, f.CaseRef, f.Fields["child_initials"], k)
		}
	}
}
