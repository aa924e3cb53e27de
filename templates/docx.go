package templates

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// The Appendix 3 form, written as WordprocessingML by hand: a heading block with the
// partnership's address and the guidance's introduction (dates filled in), a
// two-column label | value table of every field of parser.Spec(KindScopingReturn),
// and each table of that spec with its header row and empty rows. The same spec
// drives the parser that reads the returns, so form and reader agree.

// lewisham is the partnership a form names when the caller gives none.
var lewisham = cspr.Partnership{
	Name:    "Lewisham Safeguarding Children Partnership",
	Short:   "LSCP",
	Email:   "safeguardingpartnership@lewisham.gov.uk",
	Phone:   "020 8314 3396",
	Address: "1st Floor, Laurence House, 1 Catford Road, SE6 4RU",
	Website: "www.safeguardinglewisham.org.uk",
}

type formOptions struct {
	Partnership   cspr.Partnership // zero: Lewisham's details
	RapidReviewBy time.Time        // when the Rapid Review report is due, if known
	Spec          *parser.FormSpec // nil: parser.Spec(parser.KindScopingReturn)
}

// ScopingForm writes the Appendix 3 Initial Scoping and Information Sharing form
// as a .docx for one agency, with the case reference, the child's initials and the
// agency filled in, and the return date in its introduction. It names Lewisham
// Safeguarding Children Partnership; Set.Render attaches the form with the
// configured partnership's details and the case's Rapid Review date instead.
func ScopingForm(f cspr.FormView) ([]byte, error) {
	return scopingForm(f, formOptions{})
}

// Page geometry, in twentieths of a point: A4 with 2 cm margins.
const (
	pageW, pageH = 11906, 16838
	margin       = 1134
	textW        = pageW - 2*margin // 9638
	labelW       = 3600
)

func scopingForm(f cspr.FormView, o formOptions) ([]byte, error) {
	spec := o.Spec
	if spec == nil {
		spec = parser.Spec(parser.KindScopingReturn)
	}
	if spec == nil {
		return nil, fmt.Errorf("templates: no scoping form spec")
	}
	p := o.Partnership
	if p.Name == "" {
		p = lewisham
	}

	var d wml
	d.para(`<w:jc w:val="right"/>`, run{text: "OFFICIAL-SENSITIVE when completed", size: 18, color: grey, bold: true})
	d.para(`<w:spacing w:after="0"/>`, run{text: p.Name, bold: true, size: 28})
	if p.Address != "" {
		d.para(`<w:spacing w:after="0"/>`, run{text: p.Address})
	}
	var contact []string
	for _, s := range []string{p.Phone, p.Email, p.Website} {
		if s != "" {
			contact = append(contact, s)
		}
	}
	d.para(`<w:spacing w:after="240"/>`, run{text: strings.Join(contact, "  ·  ")})

	d.para(`<w:pStyle w:val="Title"/>`, run{text: spec.Title})
	d.para(`<w:pStyle w:val="Subtitle"/>`, run{text: "Potential Child Safeguarding Practice Review"})
	d.para("", run{text: "Working Together to Safeguard Children sets out clear criteria for when child safeguarding practice reviews " +
		"should be conducted. We have received notification of a serious incident which may meet the criteria for a child " +
		"safeguarding practice review and will, therefore, be holding a Rapid Review to consider the case."})
	d.para("", run{text: "To inform the Rapid Review meeting, we need to gather the basic facts about the case and determine the extent " +
		"of agency involvement with the child and family. This will help the safeguarding partners decide whether to progress a " +
		"formal child safeguarding practice review and to determine the most appropriate method to identify and cascade learning " +
		"from this case."})
	timescale := "We are required to hold the Rapid Review meeting and agree the way forward within timescales outlined in national " +
		"guidance (currently within 15 working days)."
	if !o.RapidReviewBy.IsZero() {
		timescale += " The National Child Safeguarding Practice Review Panel has directed that the Rapid Review report is returned by " +
			Date(o.RapidReviewBy) + "."
	}
	d.para("", run{text: timescale})
	returnTo := p.Email
	if returnTo == "" {
		returnTo = "the partnership"
	}
	if f.ReturnBy.IsZero() {
		d.para("", run{text: "Therefore, this initial scoping and information sharing form should be returned to " + returnTo +
			" within 6 working days of our request.", bold: true})
	} else {
		d.para("", run{text: "Therefore, this initial scoping and information sharing form should be returned to " + returnTo + " by "},
			run{text: Clock(f.ReturnBy) + " on " + Date(f.ReturnBy), bold: true}, run{text: "."})
	}
	d.para(`<w:spacing w:after="240"/>`, run{text: "Please reply to our email with this form attached. If your agency has had no involvement " +
		"with the child or any member of the family, you may instead reply to say so. Please secure all records relating to this " +
		"case, and keep this return separate from them. Never put a child's or family member's name in an email subject.",
		size: 20, color: grey})

	prefill := map[string]string{"case_ref": f.CaseRef, "child_initials": f.ChildInitials, "agency": f.AgencyName}
	if f.CaseRef != "" && !hasField(spec, "case_ref") {
		// A form with no case reference question of its own (the chronology, the agency
		// report) still says which case it is, so that the copy an agency sends back is
		// tied to the case (and checked against it) by what it says, not by its file name.
		d.para(`<w:spacing w:after="120"/>`, run{text: "Case reference: ", bold: true}, run{text: f.CaseRef})
	}
	d.raw(tblStart(labelW, textW-labelW))
	for _, fs := range spec.Fields {
		label := []string{paraXML("", run{text: fs.Label, bold: true})}
		if fs.Hint != "" {
			label = append(label, paraXML(`<w:spacing w:before="40"/>`, run{text: "(" + fs.Hint + ")", size: 18, color: grey}))
		}
		var value []string
		height := 0
		switch {
		case prefill[fs.Key] != "":
			value = []string{paraXML("", run{text: prefill[fs.Key]})}
		case fs.Type == parser.YesNo:
			value = []string{paraXML("", checkbox(), run{text: " Yes      "}, checkbox(), run{text: " No"})}
		case fs.Type == parser.Choice || fs.Type == parser.MultiChoice:
			for _, op := range fs.Options {
				value = append(value, paraXML(`<w:spacing w:after="40"/>`, checkbox(), run{text: " " + op.Label}))
			}
		case fs.Type == parser.Long:
			value = []string{paraXML("")}
			height = 1700
		default:
			value = []string{paraXML("")}
		}
		d.raw(rowXML(height, false, cellXML(labelW, shade, label...), cellXML(textW-labelW, "", value...)))
	}
	d.raw("</w:tbl>")

	for _, ts := range spec.Tables {
		if len(ts.Columns) == 0 {
			continue
		}
		d.para(`<w:keepNext/><w:spacing w:before="360"/>`, run{text: ts.Label, bold: true, size: 24})
		widths := columnWidths(ts)
		d.raw(tblStart(widths...))
		var head []string
		for i, c := range ts.Columns {
			head = append(head, cellXML(widths[i], shade, paraXML("", run{text: c.Label, bold: true})))
		}
		d.raw(rowXML(0, true, head...))
		for range 6 {
			var cells []string
			for i := range ts.Columns {
				cells = append(cells, cellXML(widths[i], "", paraXML("")))
			}
			d.raw(rowXML(600, false, cells...))
		}
		d.raw("</w:tbl>")
		d.para(`<w:spacing w:before="60"/>`, run{text: "Add rows as needed.", size: 18, color: grey})
	}
	d.para(`<w:spacing w:before="240"/>`, run{text: "Thank you. Please return this form to " + returnTo + ".", size: 20})

	title := spec.Title
	if f.CaseRef != "" {
		title += " – " + f.CaseRef
	}
	return pack(map[string]string{
		"[Content_Types].xml":          contentTypes,
		"_rels/.rels":                  rootRels,
		"word/_rels/document.xml.rels": docRels,
		"word/styles.xml":              styles,
		"word/settings.xml":            settings,
		"docProps/core.xml":            coreXML(title, p.Name),
		"word/document.xml":            documentXML(d.String()),
	})
}

const (
	grey  = "595959"
	shade = "F2F2F2"
)

// columnWidths shares the text width between a table's columns, giving a date
// column less room and the rest an equal share.
func columnWidths(ts parser.TableSpec) []int {
	ws := make([]int, len(ts.Columns))
	const dateW = 1500
	rest, n := textW, 0
	for i, c := range ts.Columns {
		if c.Type == parser.Date {
			ws[i] = dateW
			rest -= dateW
		} else {
			n++
		}
	}
	if n == 0 {
		for i := range ws {
			ws[i] = textW / len(ws)
		}
		return ws
	}
	for i := range ws {
		if ws[i] == 0 {
			ws[i] = rest / n
		}
	}
	return ws
}

// wml collects the body of a document.
type wml struct{ strings.Builder }

func (d *wml) raw(s string) { d.WriteString(s) }

func (d *wml) para(pPr string, runs ...run) { d.WriteString(paraXML(pPr, runs...)) }

// run is a piece of text with one format.
type run struct {
	text  string
	bold  bool
	size  int    // half-points; 0 = the document default (11 pt)
	color string // hex RGB; "" = automatic
	xml   string // written as it is instead of text (a content control)
}

func paraXML(pPr string, runs ...run) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	if pPr != "" {
		b.WriteString("<w:pPr>" + pPr + "</w:pPr>")
	}
	for _, r := range runs {
		b.WriteString(runXML(r))
	}
	b.WriteString("</w:p>")
	return b.String()
}

func runXML(r run) string {
	if r.xml != "" {
		return r.xml
	}
	var b strings.Builder
	b.WriteString("<w:r>")
	if r.bold || r.size != 0 || r.color != "" {
		b.WriteString("<w:rPr>")
		if r.bold {
			b.WriteString("<w:b/><w:bCs/>")
		}
		if r.color != "" {
			b.WriteString(`<w:color w:val="` + r.color + `"/>`)
		}
		if r.size != 0 {
			fmt.Fprintf(&b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, r.size, r.size)
		}
		b.WriteString("</w:rPr>")
	}
	for i, line := range strings.Split(r.text, "\n") {
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		b.WriteString(`<w:t xml:space="preserve">` + esc(line) + "</w:t>")
	}
	b.WriteString("</w:r>")
	return b.String()
}

// checkbox is a Word check-box content control, unticked: a click ticks it in Word,
// and LibreOffice shows the box.
func checkbox() run {
	return run{xml: `<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="0"/>` +
		`<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/>` +
		`</w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" w:hint="eastAsia"/>` +
		`</w:rPr><w:t>☐</w:t></w:r></w:sdtContent></w:sdt>`}
}

func tblStart(widths ...int) string {
	var b strings.Builder
	total := 0
	for _, w := range widths {
		total += w
	}
	fmt.Fprintf(&b, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/>`, total)
	b.WriteString(`<w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="808080"/>`)
	}
	b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/>`)
	b.WriteString(`<w:tblCellMar><w:top w:w="60" w:type="dxa"/><w:left w:w="100" w:type="dxa"/><w:bottom w:w="60" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar>`)
	b.WriteString(`<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		fmt.Fprintf(&b, `<w:gridCol w:w="%d"/>`, w)
	}
	b.WriteString(`</w:tblGrid>`)
	return b.String()
}

func rowXML(minHeight int, header bool, cells ...string) string {
	var b strings.Builder
	b.WriteString("<w:tr><w:trPr><w:cantSplit/>")
	if minHeight > 0 {
		fmt.Fprintf(&b, `<w:trHeight w:val="%d" w:hRule="atLeast"/>`, minHeight)
	}
	if header {
		b.WriteString("<w:tblHeader/>")
	}
	b.WriteString("</w:trPr>")
	for _, c := range cells {
		b.WriteString(c)
	}
	b.WriteString("</w:tr>")
	return b.String()
}

func cellXML(width int, fill string, paras ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, width)
	if fill != "" {
		b.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="` + fill + `"/>`)
	}
	b.WriteString("</w:tcPr>")
	if len(paras) == 0 {
		paras = []string{"<w:p/>"}
	}
	for _, p := range paras {
		b.WriteString(p)
	}
	b.WriteString("</w:tc>")
	return b.String()
}

// esc escapes text for XML; characters XML cannot hold become U+FFFD.
func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

const (
	nsW   = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsW14 = "http://schemas.microsoft.com/office/word/2010/wordml"
	nsMC  = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

func documentXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `" xmlns:w14="` + nsW14 + `" xmlns:mc="` + nsMC + `" mc:Ignorable="w14">` +
		"<w:body>" + body +
		fmt.Sprintf(`<w:sectPr><w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`,
			pageW, pageH, margin, margin, margin, margin) +
		"</w:body></w:document>"
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const docRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
	`</Relationships>`

const settings = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="` + nsW + `"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`</w:settings>`

const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="` + nsW + `">` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>` +
	`<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="259" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:bCs/><w:color w:val="1D70B8"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:after="160"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/>` +
	`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

func coreXML(title, creator string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + esc(title) + `</dc:title><dc:creator>` + esc(creator) + `</dc:creator><cp:lastModifiedBy>csprbot</cp:lastModifiedBy>` +
		`</cp:coreProperties>`
}

// zipTime is the fixed modification time of every part, so the same form is the same bytes.
var zipTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// partOrder is the order of the parts in the package: [Content_Types].xml first, as
// some readers expect.
var partOrder = []string{"[Content_Types].xml", "_rels/.rels", "docProps/core.xml",
	"word/_rels/document.xml.rels", "word/document.xml", "word/styles.xml", "word/settings.xml"}

func pack(parts map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range partOrder {
		body, ok := parts[name]
		if !ok {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return nil, fmt.Errorf("templates: docx %s: %w", name, err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			return nil, fmt.Errorf("templates: docx %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("templates: docx: %w", err)
	}
	return buf.Bytes(), nil
}

// hasField reports whether the form asks for key.
func hasField(spec *parser.FormSpec, key string) bool {
	for _, fs := range spec.Fields {
		if fs.Key == key {
			return true
		}
	}
	return false
}
