package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// importColumns are the columns csprbot import reads (header names, in any order and
// case; spaces for underscores). Only reference and referral_received are required.
var importColumns = []string{"reference", "child_initials", "referral_received", "aware", "stage", "scoping_sent",
	"meeting", "panel_notified", "ofsted_notified", "agencies"}

// cmdImport brings in the cases a support team is already running, from a CSV export
// of its tracking spreadsheet: all rows or none, nothing already done sent again.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, []string{"dry-run"}, []string{"config", "now"})
	if err != nil {
		return err
	}
	if len(f.args) != 1 {
		return usagef("usage: csprbot import cases.csv [--dry-run] [--config FILE]")
	}
	file, err := os.Open(f.args[0])
	if err != nil {
		return usagef("import: %v", err)
	}
	defer file.Close()
	a, err := openFromFlags(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return err
	}
	rows, rerrs := readImportCSV(file, london)
	if len(rerrs) > 0 {
		for _, e := range rerrs {
			fmt.Fprintln(stderr, "csprbot: import: "+e.Error())
		}
		return usagef("import: %d row(s) could not be read: nothing imported", len(rerrs))
	}
	dry := f.bool("dry-run")
	got, err := a.tr.Import(ctx, rows, filepath.Base(f.args[0]), dry)
	if errors.Is(err, tracker.ErrImport) {
		n := 0
		for _, e := range importErrors(err) {
			fmt.Fprintln(stderr, "csprbot: import: "+oneLine(e.Error()))
			n++
		}
		return usagef("import: %d row(s) refused: nothing imported", n)
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if dry {
		verb = "would import"
	}
	for _, c := range got {
		fmt.Fprintf(stdout, "%s %s (stage %s, %d agencies)\n", verb, c.Ref, c.Stage, c.Agencies)
		for _, d := range c.Done {
			fmt.Fprintf(stdout, "  already done, not sent again: %s\n", d)
		}
		for _, o := range c.Outstanding {
			fmt.Fprintf(stdout, "  outstanding, csprbot takes over: %s\n", o)
		}
	}
	if dry {
		fmt.Fprintf(stdout, "dry run: %d case(s) checked, nothing written and nothing sent\n", len(got))
	} else {
		fmt.Fprintf(stdout, "%d case(s) imported; the daemon chases what is outstanding from its next cycle\n", len(got))
	}
	return nil
}

// importErrors finds every row error in err's tree.
func importErrors(err error) []tracker.ImportError {
	var out []tracker.ImportError
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case tracker.ImportError:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

type lineError struct {
	line int
	msg  string
}

func (e lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// readImportCSV reads the spreadsheet's rows. Dates are YYYY-MM-DD or DD/MM/YYYY (noon,
// London), "YYYY-MM-DD HH:MM" or "DD/MM/YYYY HH:MM" (London), or RFC 3339.
func readImportCSV(r io.Reader, loc *time.Location) ([]tracker.ImportCase, []error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, []error{lineError{1, "no header row: " + err.Error()}}
	}
	col := map[string]int{}
	var errs []error
	for i, h := range head {
		k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))), " ", "_")
		known := false
		for _, c := range importColumns {
			known = known || c == k
		}
		if !known {
			errs = append(errs, lineError{1, fmt.Sprintf("unknown column %q (columns: %s)", h, strings.Join(importColumns, ", "))})
			continue
		}
		col[k] = i
	}
	for _, req := range []string{"reference", "referral_received"} {
		if _, ok := col[req]; !ok {
			errs = append(errs, lineError{1, "column " + req + " is required"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []tracker.ImportCase
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			errs = append(errs, lineError{line, err.Error()})
			continue
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		ic := tracker.ImportCase{Line: line, Ref: strings.ToUpper(get("reference")), ChildInitials: get("child_initials"), Stage: strings.ToLower(get("stage"))}
		date := func(k string, needTime bool) time.Time {
			v := get(k)
			if v == "" {
				return time.Time{}
			}
			t, hasTime, err := parseImportDate(v, loc)
			if err != nil {
				errs = append(errs, lineError{line, fmt.Sprintf("%s: %v", k, err)})
			} else if needTime && !hasTime {
				errs = append(errs, lineError{line, fmt.Sprintf("%s: %q needs a time, like 2026-12-03 10:00", k, v)})
			}
			return t
		}
		ic.Referral = date("referral_received", false)
		ic.Aware = date("aware", false)
		ic.ScopingSent = date("scoping_sent", false)
		ic.Meeting = date("meeting", true)
		ic.PanelNotified = date("panel_notified", false)
		ic.OfstedNotified = date("ofsted_notified", false)
		for _, ent := range strings.Split(get("agencies"), ";") {
			ent = strings.TrimSpace(ent)
			if ent == "" {
				continue
			}
			ag, err := parseImportAgency(ent, loc)
			if err != nil {
				errs = append(errs, lineError{line, err.Error()})
				continue
			}
			ic.Agencies = append(ic.Agencies, ag)
		}
		out = append(out, ic)
	}
	return out, errs
}

// parseImportAgency reads "Name: returned 2026-11-24", "Name: nil 24/11/2026",
// "Name: asked" (or awaiting), "Name: due 2026-12-01", "Name: waived", "Name: named",
// or a bare "Name" (asked).
func parseImportAgency(s string, loc *time.Location) (tracker.ImportAgency, error) {
	name, rest, _ := strings.Cut(s, ":")
	ag := tracker.ImportAgency{Name: strings.TrimSpace(name), Status: "asked"}
	f := strings.Fields(strings.ToLower(rest))
	if len(f) == 0 {
		return ag, nil
	}
	word, when := f[0], strings.Join(f[1:], " ")
	var at time.Time
	if when != "" {
		var err error
		if at, _, err = parseImportDate(when, loc); err != nil {
			return ag, fmt.Errorf("agency %q: %v", ag.Name, err)
		}
	}
	switch word {
	case "asked", "awaiting", "requested", "outstanding":
	case "due":
		ag.Due = at
		if at.IsZero() {
			return ag, fmt.Errorf("agency %q: due needs a date", ag.Name)
		}
	case "returned", "received", "in":
		ag.Status, ag.Returned = "returned", at
	case "nil", "nil_return":
		ag.Status, ag.Returned = "nil", at
	case "waived":
		ag.Status = "waived"
	case "named", "not_asked":
		ag.Status = "named"
	default:
		return ag, fmt.Errorf("agency %q: %q is not one of asked, due DATE, returned DATE, nil DATE, waived, named", ag.Name, word)
	}
	return ag, nil
}

func parseImportDate(v string, loc *time.Location) (time.Time, bool, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "02/01/2006 15:04", "2/1/2006 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true, nil
		}
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.Add(12 * time.Hour), false, nil // noon, London: a date with no time
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date like 2026-11-24 or 24/11/2026", v)
}
