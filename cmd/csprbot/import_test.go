package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const casesCSV = "Reference,Child initials,Referral received,Aware,Stage,Scoping sent,Meeting,Panel notified,Ofsted notified,Agencies\n" +
	"LSCP-2026-040,AB,16/11/2026,,scoping,18/11/2026,,19/11/2026,,\"Metropolitan Police Service: asked; Lewisham Children's Social Care: returned 24/11/2026; NHS South East London ICB: nil 25/11/2026; Lewisham and Greenwich NHS Trust: waived\"\n" +
	"LSCP-2026-041,CD,2026-11-27,,,,,,,\n"

func TestImportCSV(t *testing.T) {
	e := newE2E(t)
	p := filepath.Join(e.dir, "cases.csv")
	os.WriteFile(p, []byte(casesCSV), 0o600)
	const now = "2026-11-30T08:00:00Z"
	out := e.run(0, "import", p, "--dry-run", "--now", now)
	for _, want := range []string{"would import LSCP-2026-040 (stage scoping, 4 agencies)", "already done, not sent again: Lewisham Children's Social Care returned 2026-11-24", "NHS South East London ICB sent a nil return 2026-11-25",
		"outstanding, csprbot takes over: Metropolitan Police Service's scoping return, overdue since", "would import LSCP-2026-041", "dry run: 2 case(s) checked, nothing written"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if got := e.run(0, "cases", "--now", now); strings.Contains(got, "LSCP-2026-040") {
		t.Fatalf("the dry run wrote a case:\n%s", got)
	}
	e.run(0, "import", p, "--now", now)
	if got := e.run(0, "cases", "--now", now); !strings.Contains(got, "LSCP-2026-040") || !strings.Contains(got, "LSCP-2026-041") {
		t.Fatalf("cases after import:\n%s", got)
	}
	// Importing again is refused (and changes nothing).
	var code int
	code, _, errs := runMain("import", p, "--config", e.cfg, "--now", now)
	if code != 2 || !strings.Contains(errs, "line 2 (LSCP-2026-040)") || !strings.Contains(errs, "already in the store") {
		t.Errorf("second import = exit %d\n%s", code, errs)
	}
	// The daemon chases the police, and writes to nobody whose return is in or waived.
	e.run(0, "run", "--once", "--now", "2026-11-30T09:30:00Z")
	if got := len(e.sentTo("safeguarding.lead@met.example")); got != 1 {
		t.Errorf("emails to the police after import = %d, want 1 (a chaser)", got)
	}
	for _, addr := range []string{"csc.safeguarding@lewisham.gov.uk", "safeguarding.children@selondon-icb.example", "safeguarding@lgt-nhs.example"} {
		if got := len(e.sentTo(addr)); got != 0 {
			t.Errorf("%d emails to %s, whose return is in or waived", got, addr)
		}
	}
}

func TestImportCSVErrors(t *testing.T) {
	e := newE2E(t)
	p := filepath.Join(e.dir, "bad.csv")
	os.WriteFile(p, []byte("reference,referral_received,colour\nLSCP-2026-001,2026-11-02,red\n"), 0o600)
	code, _, errs := runMain("import", p, "--config", e.cfg)
	if code != 2 || !strings.Contains(errs, `unknown column "colour"`) {
		t.Errorf("unknown column = exit %d\n%s", code, errs)
	}
	os.WriteFile(p, []byte("reference,referral_received,agencies,meeting\n"+
		"LSCP-2026-001,31/02/2026,,\n"+
		"LSCP-2026-002,2026-11-02,Metropolitan Police Service: lost,\n"+
		"LSCP-2026-003,2026-11-02,,2026-11-20\n"), 0o600)
	code, _, errs = runMain("import", p, "--config", e.cfg, "--now", "2026-11-30T08:00:00Z")
	for _, want := range []string{"line 2: referral_received", "line 3: agency", "line 4: meeting", "nothing imported"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if got := e.run(0, "cases"); strings.Contains(got, "LSCP-2026-00") {
		t.Errorf("a refused import wrote cases:\n%s", got)
	}
}
