package parser_test

import (
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/templates"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// The scoping form this project sends must read back as a scoping return carrying
// what we filled in, and nothing the agency has not answered.
func TestReadOwnScopingTemplate(t *testing.T) {
	data, err := templates.ScopingForm(tracker.FormView{CaseRef: "LSCP-2026-001", ChildInitials: "AB",
		ReturnBy: time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC), AgencyName: "Fictional Trust"})
	if err != nil {
		t.Skipf("templates.ScopingForm: %v", err)
	}
	f, err := parser.Parse("scoping.docx", data, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != parser.KindScopingReturn || f.CaseRef != "LSCP-2026-001" {
		t.Fatalf("Parse(our form) = %s %q, want scoping_return LSCP-2026-001; fields %v", f.Kind, f.CaseRef, f.Fields)
	}
	want := map[string]string{"case_ref": "LSCP-2026-001", "child_initials": "AB", "agency": "Fictional Trust"}
	for k, v := range want {
		if f.Fields[k] != v {
			t.Errorf("field %s = %q, want %q", k, f.Fields[k], v)
		}
	}
	for k, v := range f.Fields {
		if _, ok := want[k]; !ok {
			t.Errorf("unanswered field %s read as %q", k, v)
		}
	}
	if len(f.Tables) != 0 {
		t.Errorf("empty tables read as %v", f.Tables)
	}
}
