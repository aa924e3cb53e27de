package templates

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	"testing"
	texttemplate "text/template"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// journeyDeadlines has every status, and labels with everything an attribute escapes.
func journeyDeadlines() []cspr.DeadlineView {
	due := time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC)
	return []cspr.DeadlineView{
		{Rule: "panel_notification", Label: "National Panel notified", Due: due.AddDate(0, 0, -9), Status: "met"},
		{Rule: "scoping_return", Label: `Scoping return (O'Brien & <Sons> "Ltd" + Co` + "\x00 é \xff)", Due: due, Status: "missed"},
		{Rule: "rr_papers", Label: "Rapid Review papers", Due: due.AddDate(0, 0, 1), Status: "waived"},
		{Rule: "rr_meeting", Label: "Rapid Review meeting", Due: due.AddDate(0, 0, 5), Status: "pending"},
		{Rule: "rr_submission", Label: "Rapid Review report to the National Panel", Due: due.AddDate(0, 0, 8), Status: "pending"},
		{Rule: "odd", Label: "No due date", Status: "pending"},
	}
}

// TestJourneyCellsAsTemplate: journeyCells writes what the digest's template wrote for
// the bar cell by cell, byte for byte, escaping included.
func TestJourneyCellsAsTemplate(t *testing.T) {
	const cell = `{{range .}}<td width="16" height="12" bgcolor="{{if eq .Status "met"}}#00703c{{else if eq .Status "missed"}}#d4351c{{else if eq .Status "waived"}}#f3f2f1{{else}}#b1b4b6{{end}}" style="width:16px;height:12px;font-size:1px;line-height:1px;background-color:{{if eq .Status "met"}}#00703c{{else if eq .Status "missed"}}#d4351c{{else if eq .Status "waived"}}#f3f2f1{{else}}#b1b4b6{{end}};" title="{{.Label}}: {{.Status}}, {{date .Due}}">&nbsp;</td>{{end}}`
	tmpl := htmltemplate.Must(htmltemplate.New("cells").Funcs(htmltemplate.FuncMap{"date": Date}).Parse(cell))
	for _, ds := range [][]cspr.DeadlineView{journeyDeadlines(), journeyDeadlines()[:1], nil} {
		var want strings.Builder
		if err := tmpl.Execute(&want, ds); err != nil {
			t.Fatal(err)
		}
		if got := string(journeyCells(ds)); got != want.String() {
			t.Errorf("journeyCells(%d deadlines) =\n%s\nwant\n%s", len(ds), got, want.String())
		}
	}
}

func TestJourneyText(t *testing.T) {
	want := strings.Join([]string{
		"[x] National Panel notified",
		journeyIndent + `[LATE] Scoping return (O'Brien & <Sons> "Ltd" + Co` + "\x00 é \xff)",
		journeyIndent + "[-] Rapid Review papers",
		journeyIndent + "[>] Rapid Review meeting",
		journeyIndent + "[ ] Rapid Review report to the National Panel",
		journeyIndent + "[ ] No due date",
	}, "\n")
	if got := journeyText(journeyDeadlines()); got != want {
		t.Errorf("journeyText =\n%s\nwant\n%s", got, want)
	}
	if got := journeyText(nil); got != "" {
		t.Errorf("journeyText(nil) = %q, want \"\"", got)
	}
}

// TestReturnStateAsTemplate: returnState words a return as the digest's template did.
func TestReturnStateAsTemplate(t *testing.T) {
	const words = `{{status .Status}}{{if not (isZeroTime .ReceivedAt)}} – {{datetime .ReceivedAt}}{{else}}, due {{datetime .Due}}{{end}}{{if .ChasersSent}}, {{.ChasersSent}} {{plural .ChasersSent "chaser" "chasers"}} sent{{end}}`
	tmpl := texttemplate.Must(texttemplate.New("return").Funcs(texttemplate.FuncMap(funcs)).Parse(words))
	due := time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC)
	for _, r := range []cspr.ReturnView{
		{Agency: "A", Status: "received", Due: due, ReceivedAt: due.Add(-50 * time.Hour)},
		{Agency: "B", Status: "overdue", Due: due, ChasersSent: 1},
		{Agency: "C", Status: "escalated", Due: due, ChasersSent: 2},
		{Agency: "D", Status: "awaiting", Due: due},
		{Agency: "E", Status: "nil_return", Due: due, ReceivedAt: due, ChasersSent: 3},
		{Agency: "F", Status: "waived"},
		{Agency: "G", Status: "some_new_state", Due: due, ChasersSent: -1},
	} {
		var want strings.Builder
		if err := tmpl.Execute(&want, r); err != nil {
			t.Fatal(err)
		}
		if got := returnState(r); got != want.String() {
			t.Errorf("returnState(%+v) = %q, want %q", r, got, want.String())
		}
	}
}

// BenchmarkDigest1000 renders the weekly digest of 1,000 open cases (the golden digest's
// two, over and over, each with its own reference), subject, text and HTML: what csprbot
// digest spends rendering with 10,000 cases in the store, a tenth open.
//
//	go test ./templates -run '^$' -bench Digest1000 -benchmem
func BenchmarkDigest1000(b *testing.B) {
	s, err := New("")
	if err != nil {
		b.Fatal(err)
	}
	d := fixture()
	for _, tc := range goldenCases {
		if tc.golden == "digest" {
			tc.edit(d)
		}
	}
	two := d.Digest.Cases
	cs := two[:0:0]
	for i := 0; len(cs) < 1000; i++ {
		c := two[i%2]
		c.Ref = fmt.Sprintf("LSCP-2026-%03d", i+1)
		cs = append(cs, c)
	}
	d.Digest.Cases = cs
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Render(cspr.TmplDigest, d); err != nil {
			b.Fatal(err)
		}
	}
}
