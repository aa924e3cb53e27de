package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lewisham-lscp/csprbot/templates"
)

// caseChronology: csprbot case REF chronology [--out FILE]. It writes the combined
// multi-agency chronology of the case, as it stands now, as a .docx (owner-only): by
// default "REF Combined chronology DRAFT.docx" in the current folder. The file name and
// what is printed carry the reference only, never a name.
func caseChronology(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 2 {
		return usagef("case %s chronology: unexpected argument %q (write the file with --out FILE)", ref, f.args[2])
	}
	v, err := a.tr.Chronology(ctx, ref)
	if err != nil {
		return asUsage(err)
	}
	doc, err := templates.ChronologyDocx(v, a.tr.Config().Partnership)
	if err != nil {
		return err
	}
	out := f.last("out")
	if out == "" {
		out = templates.ChronologyName(v.CaseRef)
	}
	if err := os.WriteFile(out, doc, 0o600); err != nil {
		return fmt.Errorf("case %s chronology: %w", ref, err)
	}
	fmt.Fprintf(stdout, "%s: combined chronology written to %s: %d dated entries, %d with dates that could not be read, from %d documents.\n",
		v.CaseRef, out, len(v.Entries), len(v.Undated), len(v.Sources))
	if v.PeriodNote != "" {
		fmt.Fprintln(stdout, v.PeriodNote)
	} else {
		outside := 0
		for _, e := range v.Entries {
			if e.Outside {
				outside++
			}
		}
		fmt.Fprintf(stdout, "Review period %s to %s: %d entries outside it are marked.\n", orDash(v.PeriodFrom), orDash(v.PeriodTo), outside)
	}
	if len(v.Missing) > 0 {
		fmt.Fprintf(stdout, "Not yet received from: %s\n", strings.Join(v.Missing, "; "))
	}
	return nil
}

// casePanelPapers: csprbot case REF panel-papers [--out FILE]. It writes the local review
// panel's papers as they stand now (contents page, Terms of Reference, combined chronology,
// agency reports received, what is outstanding) as one .docx, owner-only.
func casePanelPapers(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 2 {
		return usagef("case %s panel-papers: unexpected argument %q (write the file with --out FILE)", ref, f.args[2])
	}
	v, err := a.tr.PanelPack(ctx, ref, "")
	if err != nil {
		return asUsage(err)
	}
	doc, err := templates.PanelPack(v, a.tr.Config().Partnership)
	if err != nil {
		return err
	}
	out := f.last("out")
	if out == "" {
		out = templates.PanelPackName(v.CaseRef)
	}
	if err := os.WriteFile(out, doc, 0o600); err != nil {
		return fmt.Errorf("case %s panel-papers: %w", ref, err)
	}
	tor := v.ToRStatus
	if tor == "" {
		tor = "none received"
	}
	fmt.Fprintf(stdout, "%s: panel papers written to %s: Terms of Reference %s; %d chronology entries; %d agency reports; %d outstanding.\n",
		v.CaseRef, out, tor, len(v.Chronology.Entries)+len(v.Chronology.Undated), len(v.Reports), len(v.Outstanding))
	for _, s := range v.Outstanding {
		fmt.Fprintf(stdout, "  outstanding: %s\n", s)
	}
	return nil
}
