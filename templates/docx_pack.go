package templates

import (
	"fmt"
	"strings"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// The panel papers pack (issue 14.4): one landscape document for a local review panel
// meeting, with a contents page, the Terms of Reference, the combined chronology, the
// agency reports received and what is still outstanding.

// PanelPackName is the file name of a case's panel papers: the reference only.
func PanelPackName(ref string) string {
	if r := safeFileName(ref); r != "" {
		return r + " Panel papers DRAFT.docx"
	}
	return "Panel papers DRAFT.docx"
}

const pageBreak = `<w:p><w:r><w:br w:type="page"/></w:r></w:p>`

// PanelPack writes the panel papers of v as a .docx.
func PanelPack(v *cspr.PanelPackView, p cspr.Partnership) ([]byte, error) {
	if v == nil || v.Chronology == nil {
		return nil, fmt.Errorf("templates: no panel papers")
	}
	if p.Name == "" {
		p = lewisham
	}
	var d wml
	d.para(`<w:jc w:val="right"/>`, run{text: "OFFICIAL-SENSITIVE – DRAFT", size: 18, color: grey, bold: true})
	d.para(`<w:spacing w:after="0"/>`, run{text: p.Name, bold: true, size: 28})
	d.para(`<w:pStyle w:val="Title"/>`, run{text: "Local Child Safeguarding Practice Review – Panel papers"})
	d.para(`<w:spacing w:after="0"/>`, run{text: "Case reference: ", bold: true}, run{text: v.CaseRef})
	if v.ChildInitials != "" {
		d.para(`<w:spacing w:after="0"/>`, run{text: "Child’s anonymised initials: ", bold: true}, run{text: v.ChildInitials})
	}
	if v.Meeting != "" {
		m := v.Meeting
		if !v.At.IsZero() {
			m += ", " + Date(v.At)
		}
		d.para(`<w:spacing w:after="0"/>`, run{text: "Meeting: ", bold: true}, run{text: m})
	}
	heading(&d, "Contents", 24)
	torWords := "none received yet"
	if v.ToRStatus != "" {
		torWords = v.ToRStatus
	}
	contents := []string{
		"1. Terms of Reference (" + torWords + ")",
		fmt.Sprintf("2. Combined multi-agency chronology (%d entries, %d with dates to place)", len(v.Chronology.Entries), len(v.Chronology.Undated)),
		fmt.Sprintf("3. Agency reports received (%d)", len(v.Reports)),
		fmt.Sprintf("4. Still outstanding (%d)", len(v.Outstanding)),
	}
	for _, c := range contents {
		d.para(`<w:ind w:left="360"/><w:spacing w:after="60"/>`, run{text: c})
	}
	draftNote(&d, "csprbot put these papers together from what the agencies sent and the Terms of Reference as last read. Each agency's own documents are kept whole on the case record as they were received.")

	d.raw(pageBreak)
	heading(&d, contents[0], 28)
	if len(v.ToR) == 0 && len(v.Timetable) == 0 {
		d.para("", run{text: "No Terms of Reference have been received for this review yet."})
	} else {
		d.raw(tblStart(labelW, landW-labelW))
		for _, f := range v.ToR {
			var paras []string
			for _, l := range strings.Split(f.Value, "\n") {
				paras = append(paras, paraXML("", run{text: l}))
			}
			d.raw(rowXML(0, false, cellXML(labelW, shade, paraXML("", run{text: f.Label, bold: true})), cellXML(landW-labelW, "", paras...)))
		}
		d.raw("</w:tbl>")
		if len(v.Timetable) > 0 {
			heading(&d, "Outline timetable", 22)
			ws := []int{7000, 4570, 3000}
			d.raw(tblStart(ws...))
			d.raw(rowXML(0, true, cellXML(ws[0], shade, paraXML("", run{text: "Action", bold: true})), cellXML(ws[1], shade, paraXML("", run{text: "Responsible", bold: true})),
				cellXML(ws[2], shade, paraXML("", run{text: "Date required", bold: true}))))
			for _, r := range v.Timetable {
				due := ""
				if !r.Due.IsZero() {
					due = ddmmyyyy(r.Due)
				}
				d.raw(rowXML(0, false, cellXML(ws[0], "", paraXML("", run{text: r.Action})), cellXML(ws[1], "", paraXML("", run{text: r.Responsible})), cellXML(ws[2], "", paraXML("", run{text: due}))))
			}
			d.raw("</w:tbl>")
		}
	}

	d.raw(pageBreak)
	heading(&d, contents[1], 28)
	chronologyBody(&d, v.Chronology)

	d.raw(pageBreak)
	heading(&d, contents[2], 28)
	if len(v.Reports) == 0 {
		d.para("", run{text: "No agency report has been received yet."})
	}
	for _, r := range v.Reports {
		recv := ""
		if !r.Received.IsZero() {
			recv = ", received " + ddmmyyyy(r.Received)
		}
		heading(&d, r.Agency+" ("+r.Name+recv+")", 22)
		if len(r.Fields) > 0 {
			d.raw(tblStart(labelW, landW-labelW))
			for _, f := range r.Fields {
				var paras []string
				for _, l := range strings.Split(f.Value, "\n") {
					paras = append(paras, paraXML("", run{text: l}))
				}
				d.raw(rowXML(0, false, cellXML(labelW, shade, paraXML("", run{text: f.Label, bold: true})), cellXML(landW-labelW, "", paras...)))
			}
			d.raw("</w:tbl>")
		}
		if len(r.Actions) > 0 {
			cols := []struct{ key, label string }{{"issue", "Issue"}, {"action", "Action"}, {"by_whom", "By whom"}, {"outcome", "Outcome sought"}, {"timescale", "Timescale"}}
			w := landW / len(cols)
			ws := make([]int, len(cols))
			var head []string
			for i, c := range cols {
				ws[i] = w
				head = append(head, cellXML(w, shade, paraXML("", run{text: c.label, bold: true, size: 18})))
			}
			d.para(`<w:spacing w:before="120"/>`, run{text: "Recommendations for action", bold: true})
			d.raw(tblStart(ws...))
			d.raw(rowXML(0, true, head...))
			for _, a := range r.Actions {
				var cells []string
				for i, c := range cols {
					cells = append(cells, cellXML(ws[i], "", paraXML("", run{text: a[c.key], size: 18})))
				}
				d.raw(rowXML(0, false, cells...))
			}
			d.raw("</w:tbl>")
		}
	}

	d.raw(pageBreak)
	heading(&d, contents[3], 28)
	if len(v.Outstanding) == 0 {
		d.para("", run{text: "Nothing: every document asked for has been received."})
	}
	for _, s := range v.Outstanding {
		d.para(`<w:ind w:left="360" w:hanging="360"/><w:spacing w:after="60"/>`, run{text: "•\t" + s})
	}

	return pack(map[string]string{
		"[Content_Types].xml":          contentTypes,
		"_rels/.rels":                  rootRels,
		"word/_rels/document.xml.rels": docRels,
		"word/styles.xml":              styles,
		"word/settings.xml":            settings,
		"docProps/core.xml":            coreXML("Panel papers – "+v.CaseRef, p.Name),
		"word/document.xml":            landscapeXML(d.String()),
	})
}
