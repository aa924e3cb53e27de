package templates

import (
	"fmt"
	"strings"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// The combined multi-agency chronology ("Combined Initial Scoping Document Chronology",
// Appendix 6 section 11.0): one landscape table of every agency's entries in date order,
// each with its agency, the same event told by two agencies side by side, entries outside
// the review period marked, and the dates nobody could read listed at the end.

// ChronologyName is the file name of a case's combined chronology: the reference only.
func ChronologyName(ref string) string {
	if r := safeFileName(ref); r != "" {
		return r + " Combined chronology DRAFT.docx"
	}
	return "Combined chronology DRAFT.docx"
}

// Landscape A4, 2 cm margins.
const landW = pageH - 2*margin // 14570

// chronology columns: Date | Agency | Who | Contact / event | Response or outcome | Source of evidence | Note
var chronCols = []struct {
	label string
	width int
}{{"Date", 1300}, {"Agency", 1900}, {"Person / sender and subject", 2200}, {"Contact / event", 3700},
	{"Response or outcome", 2400}, {"Source of evidence", 1300}, {"Note", 1770}}

// ChronologyDocx writes the combined chronology v as a .docx.
func ChronologyDocx(v *cspr.ChronologyView, p cspr.Partnership) ([]byte, error) {
	if v == nil {
		return nil, fmt.Errorf("templates: no chronology")
	}
	if p.Name == "" {
		p = lewisham
	}
	var d wml
	d.para(`<w:jc w:val="right"/>`, run{text: "OFFICIAL-SENSITIVE – DRAFT", size: 18, color: grey, bold: true})
	d.para(`<w:spacing w:after="0"/>`, run{text: p.Name, bold: true, size: 28})
	d.para(`<w:pStyle w:val="Title"/>`, run{text: "Combined Multi-Agency Chronology"})
	d.para(`<w:spacing w:after="0"/>`, run{text: "Case reference: ", bold: true}, run{text: v.CaseRef})
	if v.ChildInitials != "" {
		d.para(`<w:spacing w:after="0"/>`, run{text: "Child’s anonymised initials: ", bold: true}, run{text: v.ChildInitials})
	}
	if !v.Generated.IsZero() {
		d.para(`<w:spacing w:after="0"/>`, run{text: "Drafted: ", bold: true}, run{text: DateTime(v.Generated)})
	}
	switch {
	case v.PeriodFrom != "" || v.PeriodTo != "":
		d.para(`<w:spacing w:after="0"/>`, run{text: "Review period: ", bold: true}, run{text: periodWords(v.PeriodFrom, v.PeriodTo) + " (from the Terms of Reference); entries outside it are marked."})
	case v.PeriodNote != "":
		d.para(`<w:spacing w:after="0"/>`, run{text: "Review period: ", bold: true}, run{text: v.PeriodNote})
	}
	d.para(`<w:spacing w:before="120" w:after="120"/>`, run{text: "Draft note: csprbot merged this from every agency's scoping return and chronology as they were read. " +
		"Entries are in date order (within a day, in the order the agencies sent them); where two agencies record what looks like the same event, " +
		"the entries stand side by side and neither is dropped. Dates that could not be read are listed at the end for a person to place. " +
		"Check it against the agencies' own documents before it is relied on.", size: 18, color: grey})

	chronologyBody(&d, v)

	return pack(map[string]string{
		"[Content_Types].xml":          contentTypes,
		"_rels/.rels":                  rootRels,
		"word/_rels/document.xml.rels": docRels,
		"word/styles.xml":              styles,
		"word/settings.xml":            settings,
		"docProps/core.xml":            coreXML("Combined chronology – "+v.CaseRef, p.Name),
		"word/document.xml":            landscapeXML(d.String()),
	})
}

func periodWords(from, to string) string {
	f := func(s string) string {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t.Format("2 January 2006")
		}
		return "(open)"
	}
	return f(from) + " to " + f(to)
}

// evidence is the source column: the chronology's own source of evidence, the document.
func evidence(e cspr.ChronEntry) string {
	s := e.Source
	if e.Evidence != "" {
		s = e.Evidence + " (" + e.Source + ")"
	}
	if e.Comment != "" {
		s += "\nComment: " + e.Comment
	}
	return s
}

func chronRow(widths []int, fill string, cells ...string) string {
	var out []string
	for i, c := range cells {
		var paras []string
		for _, l := range strings.Split(c, "\n") {
			paras = append(paras, paraXML(`<w:spacing w:after="0"/>`, run{text: l, size: 18}))
		}
		out = append(out, cellXML(widths[i], fill, paras...))
	}
	return rowXML(0, false, out...)
}

func landscapeXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `" xmlns:w14="` + nsW14 + `" xmlns:mc="` + nsMC + `" mc:Ignorable="w14">` +
		"<w:body>" + body +
		fmt.Sprintf(`<w:sectPr><w:pgSz w:w="%d" w:h="%d" w:orient="landscape"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`,
			pageH, pageW, margin, margin, margin, margin) +
		"</w:body></w:document>"
}

// chronologyBody writes the chronology's sources, entries and undated entries.
func chronologyBody(d *wml, v *cspr.ChronologyView) {
	// The documents it was made from.
	d.para(`<w:keepNext/><w:spacing w:before="240"/>`, run{text: "Made from", bold: true, size: 24})
	srcW := []int{4200, 2600, 5370, 2400}
	d.raw(tblStart(srcW...))
	d.raw(rowXML(0, true, cellXML(srcW[0], shade, paraXML("", run{text: "Agency", bold: true})), cellXML(srcW[1], shade, paraXML("", run{text: "Document", bold: true})),
		cellXML(srcW[2], shade, paraXML("", run{text: "File", bold: true})), cellXML(srcW[3], shade, paraXML("", run{text: "Received", bold: true}))))
	for _, s := range v.Sources {
		recv := ""
		if !s.Received.IsZero() {
			recv = ddmmyyyy(s.Received)
		}
		d.raw(rowXML(0, false, cellXML(srcW[0], "", paraXML("", run{text: s.Agency})), cellXML(srcW[1], "", paraXML("", run{text: fmt.Sprintf("%s (%d entries)", s.Kind, s.Entries)})),
			cellXML(srcW[2], "", paraXML("", run{text: s.Name})), cellXML(srcW[3], "", paraXML("", run{text: recv}))))
	}
	if len(v.Sources) == 0 {
		d.raw(rowXML(0, false, cellXML(srcW[0], "", paraXML("", run{text: "(no return or chronology has been received yet)"})), cellXML(srcW[1], "", paraXML("")),
			cellXML(srcW[2], "", paraXML("")), cellXML(srcW[3], "", paraXML(""))))
	}
	d.raw("</w:tbl>")
	if len(v.Missing) > 0 {
		d.para(`<w:spacing w:before="60"/>`, run{text: "Not yet received from: ", bold: true}, run{text: strings.Join(v.Missing, "; ")})
	}

	d.para(`<w:keepNext/><w:spacing w:before="240"/>`, run{text: "Chronology", bold: true, size: 24})
	widths := make([]int, len(chronCols))
	var head []string
	for i, c := range chronCols {
		widths[i] = c.width
		head = append(head, cellXML(c.width, shade, paraXML("", run{text: c.label, bold: true, size: 18})))
	}
	d.raw(tblStart(widths...))
	d.raw(rowXML(0, true, head...))
	for _, e := range v.Entries {
		var note []string
		if e.Outside {
			note = append(note, "Outside the review period")
		}
		if len(e.Same) > 0 {
			note = append(note, "Same event? Also recorded by "+strings.Join(e.Same, ", "))
		}
		fill := ""
		if e.Outside {
			fill = "EDEDED"
		}
		date := e.Date
		if t, err := time.Parse("2006-01-02", e.Date); err == nil {
			date = t.Format("02/01/2006")
		}
		if e.Time != "" {
			date += " " + e.Time
		}
		d.raw(chronRow(widths, fill, date, e.Agency, e.Who, e.What, e.Outcome, evidence(e), strings.Join(note, ". ")))
	}
	if len(v.Entries) == 0 {
		d.raw(chronRow(widths, "", "", "(no dated entries yet)", "", "", "", "", ""))
	}
	d.raw("</w:tbl>")

	d.para(`<w:keepNext/><w:spacing w:before="240"/>`, run{text: "Dates that could not be read", bold: true, size: 24})
	if len(v.Undated) == 0 {
		d.para("", run{text: "None: every entry's date was read."})
	} else {
		d.para("", run{text: "These entries' dates could not be read as dates. Place each in the chronology above by hand.", size: 20, color: grey})
		d.raw(tblStart(widths...))
		uh := append([]string{cellXML(widths[0], shade, paraXML("", run{text: "Date as written", bold: true, size: 18}))}, head[1:]...)
		d.raw(rowXML(0, true, uh...))
		for _, e := range v.Undated {
			date := e.Date
			if date == "" {
				date = "(none given)"
			}
			d.raw(chronRow(widths, "", date, e.Agency, e.Who, e.What, e.Outcome, evidence(e), ""))
		}
		d.raw("</w:tbl>")
	}

}
