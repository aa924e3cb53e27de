package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/parser"
)

// Issue 14 end to end: through the mailbox and the command line only. A referral, three
// agencies' documents in two shapes (scoping returns with an involvement table, an
// Appendix 10 chronology), the meeting and one acceptance; the working day before the
// meeting the Rapid Review report draft goes to the Strategic Safeguarding Lead alone and
// reads back as the report; `csprbot case REF chronology --out` writes the combined
// chronology, read by python-docx; "Send chronology" sends it to staff alone.
func TestDraftsEndToEnd(t *testing.T) {
	e := newE2E(t)
	sink := rrSink{e: e}
	step := func(now string) {
		t.Helper()
		e.run(0, "run", "--once", "--now", now)
	}
	e.deliver("2026-12-07T10:00:00Z", demoMail{from: rrLGT, subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: demoReferral()})
	step("2026-12-07T10:05:00Z")
	notice := pick(sink.since(0), "New referral", rrLead)
	if len(notice) != 1 {
		t.Fatalf("staff notice: %d\n%s", len(notice), describe(sink.since(0)))
	}
	e.deliver("2026-12-07T11:00:00Z", demoMail{from: rrLead, subject: "Re: " + notice[0].Subject, inReplyTo: notice[0].MessageID,
		body: "Start scoping\nMeeting: 2026-12-16 10:00\n"})
	m := sink.mark()
	step("2026-12-07T11:05:00Z")
	got := sink.since(m)
	reqs := pick(got, rrScopingRq, "")
	reqTo := func(addr string) string {
		t.Helper()
		rs := pick(reqs, rrScopingRq, addr)
		if len(rs) == 0 {
			t.Fatalf("no scoping request to %s:\n%s", addr, describe(got))
		}
		return rs[0].MessageID
	}

	// Police: the scoping return; Children's Social Care: a return with its involvement
	// table; the hospital trust: its Appendix 10 chronology.
	e.deliver("2026-12-09T10:00:00Z", demoMail{from: rrPolice, subject: "RE: scoping", inReplyTo: reqTo(rrPolice),
		body: "Attached.", attachName: "police-return.docx", attach: demoScopingReturn(rrRef, "ET")})
	e.deliver("2026-12-09T11:00:00Z", demoMail{from: rrCSC, subject: "RE: scoping", inReplyTo: reqTo(rrCSC),
		body: "Attached.", attachName: "csc-return.docx", attach: buildDocx([]docBlock{
			{para: "Rapid Review Initial Scoping and Information Sharing"},
			{rows: [][]string{{"Case reference", rrRef}, {"Child's anonymised initials", "ET"}, {"Agency", "Lewisham Children's Social Care"},
				{"Did your agency have any involvement with the child?", "Yes"}, {"Did your agency have any involvement with any named family member?", "Yes"},
				{"Which family members are known to your agency?", "Mother"}}},
			{para: "Key involvement (most recent first)"},
			{rows: [][]string{{"Date", "Person (child or family member)", "Contact / event", "Outcome"},
				{"05/12/2026", "Child", "Strategy discussion after the police referral about the head injury", "Section 47 enquiry"},
				{"14/10/2026", "Mother", "Referral from the nursery", "Child in need plan"}}},
		})})
	e.deliver("2026-12-10T09:00:00Z", demoMail{from: rrLGT, subject: "RE: scoping", inReplyTo: reqTo(rrLGT),
		body: "Our chronology is attached.", attachName: "lgt-chronology.docx", attach: buildDocx([]docBlock{
			{para: "Lewisham Safeguarding Children Partnership"},
			{para: "INFORMATION-SHARING CHRONOLOGY"},
			{rows: [][]string{{"Child’s Anonymised Initials:", "ET"}, {"Agency Completing Chronology:", "Lewisham and Greenwich NHS Trust"}, {"Completed by:", "Named Nurse"}}},
			{rows: [][]string{{"Date", "Inform sent cross borough Sender", "Information sent cross borough Subject", "Comms Within Agency", "Comms External to Agency", "Response or outcome", "Source of Evidence", "Comment"},
				{"2026/12/05", "ED consultant", "Head injury", "", "Phone call to police about the head injury", "Police attended", "ED notes", "Same day"},
				{"2026/11/20", "Health visitor", "Missed appointment", "Letter to GP", "", "Rebooked", "HV records", ""},
				{"autumn 2026", "School nurse", "Weight check", "Note on file", "", "", "", ""}}},
		})})
	e.deliver("2026-12-10T09:30:00Z", demoMail{from: rrPolice, subject: "Accepted: [" + rrRef + "] Rapid Review meeting", body: "Accepted."})
	m = sink.mark()
	step("2026-12-10T10:00:00Z")
	if d := pick(sink.since(m), "report draft", ""); len(d) != 0 {
		t.Fatalf("a report draft went before the papers:\n%s", describe(d))
	}

	// Tue 15 Dec 09:00, the working day before the meeting: the papers, and the draft.
	m = sink.mark()
	step("2026-12-15T09:05:00Z")
	got = sink.since(m)
	drafts := pick(got, "Rapid Review report draft", "")
	if len(drafts) != 1 || len(drafts[0].To) != 1 || !strings.EqualFold(drafts[0].To[0], rrLead) {
		t.Fatalf("report drafts = %d, want one to the Strategic Safeguarding Lead alone:\n%s", len(drafts), describe(got))
	}
	if len(pick(got, rrPapers, "")) == 0 {
		t.Errorf("no papers went with the draft:\n%s", describe(got))
	}
	dr := drafts[0]
	if strings.Contains(dr.Subject, "Ellie") || strings.Contains(dr.Subject, "Testcase") {
		t.Errorf("the draft's subject names the child: %q", dr.Subject)
	}
	if len(dr.Attachments) != 1 || dr.Attachments[0].Name != rrRef+" Rapid Review report DRAFT.docx" {
		t.Fatalf("draft attachments = %+v", dr.Attachments)
	}
	f, err := parser.Parse(dr.Attachments[0].Name, dr.Attachments[0].Data, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != parser.KindRapidReviewReport || f.Fields["child_name"] != "Ellie Testcase" || f.Fields["date_of_rapid_review"] != "2026-12-16" {
		t.Errorf("the draft reads as %s %v", f.Kind, f.Fields)
	}
	for _, k := range []string{"immediate_action", "criteria", "discussion", "recommendation", "rationale", "learning_dissemination"} {
		if v, ok := f.Fields[k]; ok {
			t.Errorf("the meeting's field %s is filled in the draft: %q", k, v)
		}
	}
	var parts []string
	for _, r := range f.Tables["participants"] {
		parts = append(parts, r["name"]+" / "+r["agency"])
	}
	if strings.Join(parts, "; ") != "safeguarding.lead@met.example / Metropolitan Police Service" {
		t.Errorf("participants pre-filled = %q, want the police, who alone accepted", parts)
	}
	for _, want := range []string{"Metropolitan Police Service: scoping return received 9 December 2026 (police-return.docx)",
		"Lewisham Children's Social Care: scoping return received 9 December 2026 (csc-return.docx)",
		"NHS South East London ICB: NOT RETURNED", "safeguarding.children@selondon-icb.example (NHS South East London ICB): no reply"} {
		if !strings.Contains(dr.Text, want) {
			t.Errorf("the draft email lacks %q:\n%s", want, dr.Text)
		}
	}
	for _, other := range got {
		if other != dr {
			for _, a := range other.Attachments {
				if strings.Contains(a.Name, "DRAFT") {
					t.Errorf("the draft went to %v too", other.To)
				}
			}
		}
	}

	// The Strategic Safeguarding Lead completes the draft (recommendation b ticked, a
	// rationale written) and sends it back in reply: read as the report, as any report is.
	filled := fillDraft(t, dr.Attachments[0].Data, "b) Meets the criteria for a local Child Safeguarding Practice Review",
		"Rationale for Recommendation", "Several agencies knew of the injuries before the incident.")
	if f, err := parser.Parse("completed.docx", filled, parser.Options{}); err != nil || f.Fields["recommendation"] != "b" {
		t.Fatalf("the completed draft reads as %v (%v)", f, err)
	}
	e.deliver("2026-12-16T15:00:00Z", demoMail{from: rrLead, subject: "Re: " + dr.Subject, inReplyTo: dr.MessageID,
		body: "The completed report.", attachName: "rapid-review-report.docx", attach: filled})
	m = sink.mark()
	step("2026-12-16T15:05:00Z")
	if ap := pick(sink.since(m), rrApproval, rrLead); len(ap) != 1 || !strings.Contains(ap[0].Text, "Several agencies knew of the injuries") {
		t.Errorf("after the completed draft came back, approval requests:\n%s", describe(sink.since(m)))
	}

	// The combined chronology on the command line, read by python-docx.
	out := filepath.Join(t.TempDir(), "chronology.docx")
	said := e.run(0, "case", rrRef, "chronology", "--out", out, "--now", "2026-12-15T10:00:00Z")
	if !strings.Contains(said, "combined chronology written to "+out+": 4 dated entries, 1 with dates that could not be read, from 3 documents") {
		t.Errorf("case chronology said %q", said)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("chronology file: %v %v", fi, err)
	}
	rows := pythonRows(t, out)
	want := []string{
		"14/10/2026 | Lewisham Children's Social Care | Mother | Referral from the nursery | Child in need plan | scoping return | ",
		"20/11/2026 | Lewisham and Greenwich NHS Trust | Health visitor – Missed appointment | Within agency: Letter to GP | Rebooked | HV records (chronology) | ",
		"05/12/2026 | Lewisham Children's Social Care | Child | Strategy discussion after the police referral about the head injury | Section 47 enquiry | scoping return | Same event? Also recorded by Lewisham and Greenwich NHS Trust",
		"05/12/2026 | Lewisham and Greenwich NHS Trust | ED consultant – Head injury | External: Phone call to police about the head injury | Police attended | ED notes (chronology)\\nComment: Same day | Same event? Also recorded by Lewisham Children's Social Care",
		"autumn 2026 | Lewisham and Greenwich NHS Trust | School nurse – Weight check | Within agency: Note on file |  | chronology | ",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("python-docx reads the chronology's entries as\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}

	// "Send chronology", replying to the draft: to staff alone, the .docx attached.
	e.deliver("2026-12-15T11:00:00Z", demoMail{from: rrLead, subject: "Re: " + dr.Subject, inReplyTo: dr.MessageID, body: "Send chronology\n"})
	m = sink.mark()
	step("2026-12-15T11:05:00Z")
	got = sink.since(m)
	ch := pick(got, "Combined multi-agency chronology", "")
	if len(ch) != 1 || len(ch[0].To) != 1 || !strings.EqualFold(ch[0].To[0], rrLead) || len(ch[0].Attachments) != 1 ||
		ch[0].Attachments[0].Name != rrRef+" Combined chronology DRAFT.docx" {
		t.Fatalf("chronology emails:\n%s", describe(got))
	}
	// A late return: the ICB's, after the chronology went. An updated copy, once.
	e.deliver("2026-12-15T12:00:00Z", demoMail{from: rrICB, subject: "RE: scoping", inReplyTo: reqTo(rrICB),
		body: "Not known to us: neither the child nor the family are known to the ICB."})
	m = sink.mark()
	step("2026-12-15T12:05:00Z")
	step("2026-12-15T12:10:00Z")
	if ch := pick(sink.since(m), "Combined multi-agency chronology", rrLead); len(ch) != 1 || !strings.Contains(ch[0].Text, "NHS South East London ICB") {
		t.Errorf("after the ICB's late return, chronology emails:\n%s", describe(sink.since(m)))
	}
	// The panel papers on the command line: one document, its contents page first.
	papers := filepath.Join(t.TempDir(), "papers.docx")
	said = e.run(0, "case", rrRef, "panel-papers", "--out", papers, "--now", "2026-12-15T13:00:00Z")
	if !strings.Contains(said, "panel papers written to "+papers+": Terms of Reference none received; 5 chronology entries; 0 agency reports") {
		t.Errorf("case panel-papers said %q", said)
	}
	if _, err := os.Stat(papers); err != nil {
		t.Fatal(err)
	}
}

// fillDraft ticks the box of option in a generated draft and writes text in the empty
// answer after label, as a person would in Word.
func fillDraft(t *testing.T, data []byte, option, label, text string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "word/document.xml" {
			doc := string(b)
			i := strings.Index(doc, xmlEscape(option))
			j := strings.LastIndex(doc[:i], `<w14:checked w14:val="0"/>`)
			if i < 0 || j < 0 {
				t.Fatalf("no box for %q in the draft", option)
			}
			doc = doc[:j] + `<w14:checked w14:val="1"/>` + doc[j+len(`<w14:checked w14:val="0"/>`):]
			k := j + strings.Index(doc[j:], "☐")
			doc = doc[:k] + "☒" + doc[k+len("☐"):]
			i = strings.Index(doc, xmlEscape(label))
			p := i + strings.Index(doc[i:], "<w:p></w:p>")
			doc = doc[:p] + `<w:p><w:r><w:t>` + xmlEscape(text) + `</w:t></w:r></w:p>` + doc[p+len("<w:p></w:p>"):]
			b = []byte(doc)
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

// pythonRows reads a combined chronology with python-docx and returns the rows of its
// entries (and of its undated entries), cells joined by " | "; it skips the test where
// python3-docx is not installed.
func pythonRows(t *testing.T, path string) []string {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import docx").Run(); err != nil {
		t.Skip("python3-docx is not installed (apt-get install python3-docx)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", `
import sys, docx
d = docx.Document(sys.argv[1])
for t in d.tables[1:]:
    for r in t.rows[1:]:
        print(" | ".join(c.text.replace("\n", "\\n") for c in r.cells))
`, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python-docx: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}
