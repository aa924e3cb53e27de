package parser

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// readODT reads content.xml of an OpenDocument text into the model: text:p and
// text:h are paragraphs (spans, links, text:s spaces, tabs and line breaks read
// through), table:table are tables. Tracked deletions, annotations and the notes'
// citations are left out.
func readODT(zr *zip.Reader, bud *budget) ([]block, error) {
	f := zipFile(zr, "content.xml")
	if f == nil {
		return nil, fmt.Errorf("no content.xml in the OpenDocument package: %w", ErrCorrupt)
	}
	rc, err := openZipStream(f, bud)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	o := &odtReader{lim: bud.lim, bud: bud, dec: xml.NewDecoder(rc)}
	o.conts = []*[]block{&o.body}
	if err := o.run(); err != nil {
		return nil, err
	}
	return o.body, nil
}

type odtReader struct {
	lim    Limits
	bud    *budget
	dec    *xml.Decoder
	depth  int
	body   []block
	conts  []*[]block
	tables []*table
	cells  []*cell
	paras  []*strings.Builder
	boxes  map[string]bool // form check boxes by id: ticked or not
	mailto string          // the open text:a's mailto: address
	fmBox  *bool           // an open FORMCHECKBOX field:fieldmark: ticked or not
	linkP  *strings.Builder
	linkAt int
}

func (o *odtReader) emit(s string) error {
	if len(o.paras) == 0 || s == "" {
		return nil
	}
	if err := o.bud.addText(len(s)); err != nil {
		return err
	}
	o.paras[len(o.paras)-1].WriteString(s)
	return nil
}

func (o *odtReader) skip() error {
	o.depth--
	if err := o.dec.Skip(); err != nil {
		return fmt.Errorf("content.xml (%v): %w", err, ErrCorrupt)
	}
	return nil
}

func (o *odtReader) run() error {
	for {
		tok, err := o.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return err
			}
			return fmt.Errorf("content.xml is not well-formed (%v): %w", err, ErrCorrupt)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			o.depth++
			if o.depth > o.lim.MaxDepth {
				return errTooLarge("XML nesting depth", int64(o.lim.MaxDepth))
			}
			if err := o.bud.addNode(); err != nil {
				return err
			}
			if err := o.start(t); err != nil {
				return err
			}
		case xml.EndElement:
			o.depth--
			o.end(t)
		case xml.CharData:
			if err := o.emit(string(t)); err != nil {
				return err
			}
		}
	}
	for len(o.paras) > 0 {
		o.closePara()
	}
	return nil
}

func (o *odtReader) start(se xml.StartElement) error {
	switch se.Name.Local {
	case "p", "h":
		if err := o.bud.addBlock(); err != nil {
			return err
		}
		o.paras = append(o.paras, &strings.Builder{})
	case "s":
		n := 1
		if v, ok := attr(se, "c"); ok {
			if k, err := strconv.Atoi(v); err == nil && k > 0 && k < 1000 {
				n = k
			}
		}
		return o.emit(strings.Repeat(" ", n))
	case "a":
		if href, ok := attr(se, "href"); ok && len(o.paras) > 0 {
			if addr := mailtoAddr(href); addr != "" {
				o.mailto, o.linkP = addr, o.paras[len(o.paras)-1]
				o.linkAt = o.linkP.Len()
			}
		}
	case "tab":
		return o.emit("\t")
	case "line-break":
		return o.emit("\n")
	case "tracked-changes", "annotation", "note-citation", "bookmark-ref", "automatic-styles", "styles", "font-face-decls", "scripts", "sequence-decls":
		return o.skip()
	case "checkbox": // form:checkbox in office:forms
		id, ok := attr(se, "id")
		if !ok {
			return nil
		}
		state, _ := attr(se, "current-state")
		if state == "" {
			state, _ = attr(se, "state")
		}
		if o.boxes == nil {
			o.boxes = map[string]bool{}
		}
		if len(o.boxes) < 10000 {
			o.boxes[id] = state == "checked"
		}
	case "fieldmark": // a Word FORMCHECKBOX as LibreOffice writes it
		if t, _ := attr(se, "type"); strings.HasSuffix(t, "FORMCHECKBOX") {
			on := false
			o.fmBox = &on
		}
	case "param":
		if o.fmBox != nil {
			if n, _ := attr(se, "name"); n == "Checkbox_Checked" {
				v, _ := attr(se, "value")
				*o.fmBox = v == "true" || v == "1"
			}
		}
	case "control": // draw:control places a form control in the text
		if id, ok := attr(se, "control"); ok {
			if on, known := o.boxes[id]; known {
				if on {
					return o.emit(glyphTicked)
				}
				return o.emit(glyphUnticked)
			}
		}
	case "table":
		if se.Name.Space != "" && !strings.Contains(se.Name.Space, "table") {
			return nil
		}
		if len(o.tables) >= o.lim.MaxTables {
			return errTooLarge("nesting of tables", int64(o.lim.MaxTables))
		}
		o.tables = append(o.tables, &table{})
	case "table-row":
		if err := o.bud.addBlock(); err != nil {
			return err
		}
		if n := len(o.tables); n > 0 {
			o.tables[n-1].rows = append(o.tables[n-1].rows, row{})
		}
	case "table-cell", "covered-table-cell":
		if err := o.bud.addBlock(); err != nil {
			return err
		}
		c := &cell{span: 1}
		if v, ok := attr(se, "number-columns-spanned"); ok {
			if k, err := strconv.Atoi(v); err == nil && k > 0 && k < 1000 {
				c.span = k
			}
		}
		if n := len(o.tables); n > 0 {
			t := o.tables[n-1]
			if len(t.rows) > 0 {
				c.col = nextCol(t.rows[len(t.rows)-1])
			}
		}
		if se.Name.Local == "covered-table-cell" {
			// a covered cell takes no grid column of its own in our model
			return o.skip()
		}
		o.cells = append(o.cells, c)
		o.conts = append(o.conts, &c.blocks)
	}
	return nil
}

func (o *odtReader) closePara() {
	n := len(o.paras)
	p := o.paras[n-1]
	o.paras = o.paras[:n-1]
	c := o.conts[len(o.conts)-1]
	*c = append(*c, block{text: p.String()})
}

func (o *odtReader) end(ee xml.EndElement) {
	switch ee.Name.Local {
	case "fieldmark":
		if o.fmBox != nil {
			g := glyphUnticked
			if *o.fmBox {
				g = glyphTicked
			}
			o.fmBox = nil
			o.emit(g)
		}
	case "a":
		if o.mailto != "" {
			addr := o.mailto
			o.mailto = ""
			if n := len(o.paras); n > 0 && o.paras[n-1] == o.linkP && !strings.Contains(o.linkP.String()[o.linkAt:], "@") {
				o.emit(" <" + addr + ">") // the link shows a name: keep the address too
			}
		}
	case "p", "h":
		if len(o.paras) > 0 {
			o.closePara()
		}
	case "table-cell":
		if n := len(o.cells); n > 0 {
			c := o.cells[n-1]
			o.cells = o.cells[:n-1]
			o.conts = o.conts[:len(o.conts)-1]
			if tn := len(o.tables); tn > 0 {
				t := o.tables[tn-1]
				if len(t.rows) == 0 {
					t.rows = append(t.rows, row{})
				}
				r := &t.rows[len(t.rows)-1]
				r.cells = append(r.cells, *c)
			}
		}
	case "table":
		if n := len(o.tables); n > 0 && (ee.Name.Space == "" || strings.Contains(ee.Name.Space, "table")) {
			t := o.tables[n-1]
			o.tables = o.tables[:n-1]
			c := o.conts[len(o.conts)-1]
			*c = append(*c, block{table: t})
		}
	}
}
