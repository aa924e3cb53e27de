package parser

import "testing"

// A Terms of Reference whose agencies are a one-column table of names (with a header
// row, or under the table's label with none) names them in the agencies table, as the
// three-column Agency | Contact | Email table does.
func TestToROneColumnAgencies(t *testing.T) {
	names := []string{"Metropolitan Police Service", "Lewisham Children's Social Care", "South London and Maudsley NHS Foundation Trust", "Lewisham and Greenwich NHS Trust"}
	var want []map[string]string
	for _, n := range names {
		want = append(want, map[string]string{"agency": n})
	}
	column := func(head ...string) string {
		var rows [][]string
		for _, h := range head {
			rows = append(rows, cells(h))
		}
		for _, n := range names {
			rows = append(rows, cells(n))
		}
		return tbl(rows...)
	}
	fields := map[string]string{"case_ref": "LSCP-2026-001", "lead_reviewer": "Dr Ann Reviewer"}
	for _, tc := range []struct{ name, body string }{
		{"header Agency", p("11.0 Chronologies & Agency Reports") + column("Agency")},
		{"header Agencies asked for chronologies", p("11.0 Chronologies & Agency Reports") + column("Agencies asked for chronologies")},
		{"under the label, no header", p("11.0 Chronologies & Agency Reports") + p("A key incident chronology is requested from each organisation. Chronologies and conversations will be requested from:") + column()},
		{"under the heading, no header", p("11.0 Chronologies & Agency Reports") + column()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := p("Child Safeguarding Practice Review Terms of Reference") + p("Case reference: LSCP-2026-001") +
				p("Lead reviewer: Dr Ann Reviewer") + tc.body + p("12.0 Parallel Investigations")
			f, err := Parse("tor.docx", makeDocx(t, body), Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkForm(t, f, KindTermsOfReference, fields, map[string][]map[string]string{"agencies": want})
		})
	}
	// A one-column box under the heading that holds a label is read as the label,
	// not as an agency.
	body := p("Child Safeguarding Practice Review Terms of Reference") + p("Case reference: LSCP-2026-001") +
		p("11.0 Chronologies & Agency Reports") + tbl(cells("Lead reviewer: Dr Ann Reviewer"))
	f, err := Parse("tor.docx", makeDocx(t, body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindTermsOfReference, fields, map[string][]map[string]string{})
}
