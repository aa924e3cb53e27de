package parser

import (
	"html"
	"net/url"
	"strconv"
	"strings"
)

// readHTML reads an HTML document (an attachment or a mail body) into the model:
// p, div, li, h1–h6 and br make lines, tables become tables. Scripts, styles and
// quoted replies (blockquote) are left out. It is a forgiving scanner, not a
// validating parser: broken markup still gives its text.
func readHTML(s string, bud *budget) ([]block, error) {
	lim := bud.lim
	if int64(len(s)) > lim.MaxInput*2 && lim.MaxInput > 0 {
		return nil, errTooLarge("HTML size", lim.MaxInput)
	}
	h := &htmlReader{lim: lim, bud: bud}
	h.conts = []*[]block{&h.body}
	if err := h.run(s); err != nil {
		return nil, err
	}
	h.closePara()
	return h.body, nil
}

type htmlReader struct {
	lim    Limits
	bud    *budget
	body   []block
	conts  []*[]block
	tables []*table
	base   []int // len(cells) when each open table started
	cells  []*cell
	para   strings.Builder
	skip   string // inside <script>, <style>, <head>: skip to its end tag
	quote  int    // depth of blockquote
	mailto string // address of the open <a href="mailto:…">
	linkAt int    // length of para when that link opened
}

func (h *htmlReader) closePara() {
	t := h.para.String()
	h.para.Reset()
	if strings.TrimSpace(t) == "" {
		return
	}
	if h.bud.addBlock() != nil {
		return // run stops at the next tag, which checks the same cap
	}
	c := h.conts[len(h.conts)-1]
	*c = append(*c, block{text: t})
}

func (h *htmlReader) text(s string) error {
	if h.skip != "" || h.quote > 0 {
		return nil
	}
	s = html.UnescapeString(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\t', '\u00a0':
			return ' '
		}
		return r
	}, s)
	if err := h.bud.addText(len(s)); err != nil {
		return err
	}
	h.para.WriteString(s)
	return nil
}

func (h *htmlReader) run(s string) error {
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return h.text(s)
		}
		if i > 0 {
			if err := h.text(s[:i]); err != nil {
				return err
			}
		}
		s = s[i:]
		if strings.HasPrefix(s, "<!--") {
			j := strings.Index(s, "-->")
			if j < 0 {
				return nil
			}
			s = s[j+3:]
			continue
		}
		j := strings.IndexByte(s, '>')
		if j < 0 {
			return h.text(s)
		}
		tag := s[1:j]
		s = s[j+1:]
		closing := strings.HasPrefix(tag, "/")
		tag = strings.TrimPrefix(tag, "/")
		name := tag
		if k := strings.IndexAny(tag, " \t\r\n/"); k >= 0 {
			name = tag[:k]
		}
		name = strings.ToLower(name)
		if err := h.bud.addNode(); err != nil {
			return err
		}
		if h.bud.blocks > h.lim.MaxBlocks {
			return errTooLarge("number of paragraphs, rows and cells in the document", int64(h.lim.MaxBlocks))
		}
		if h.skip != "" {
			if closing && name == h.skip {
				h.skip = ""
			}
			continue
		}
		if err := h.tag(name, tag, closing); err != nil {
			return err
		}
	}
	return nil
}

func (h *htmlReader) tag(name, raw string, closing bool) error {
	switch name {
	case "script", "style", "head", "title", "xml":
		if !closing {
			h.skip = name
		}
	case "blockquote":
		h.closePara()
		if closing {
			if h.quote > 0 {
				h.quote--
			}
		} else {
			h.quote++
		}
	case "a":
		if closing {
			if h.mailto != "" {
				shown := h.para.String()
				if h.linkAt > len(shown) || !strings.Contains(shown[h.linkAt:], "@") {
					// the link shows a name, not the address: keep the address too
					if err := h.text(" <" + h.mailto + ">"); err != nil {
						return err
					}
				}
				h.mailto = ""
			}
			return nil
		}
		h.mailto = mailtoAddr(attrHTML(raw, "href"))
		h.linkAt = h.para.Len()
	case "input":
		t := strings.ToLower(attrHTML(raw, "type"))
		if t == "checkbox" || t == "radio" {
			g := glyphUnticked
			if _, on := htmlAttr(raw, "checked"); on {
				g = glyphTicked
			}
			return h.text(g)
		}
	case "br":
		if h.quote == 0 {
			if err := h.bud.addText(1); err != nil {
				return err
			}
			h.para.WriteByte('\n')
		}
	case "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "ul", "ol", "dt", "dd", "hr", "section", "article":
		h.closePara()
	case "table":
		h.closePara()
		if h.quote > 0 {
			return nil
		}
		if closing {
			if n := len(h.tables); n > 0 {
				h.endCell()
				t := h.tables[n-1]
				h.tables = h.tables[:n-1]
				h.base = h.base[:n-1]
				c := h.conts[len(h.conts)-1]
				*c = append(*c, block{table: t})
			}
			return nil
		}
		if len(h.tables) >= h.lim.MaxTables {
			return errTooLarge("nesting of tables", int64(h.lim.MaxTables))
		}
		h.tables = append(h.tables, &table{})
		h.base = append(h.base, len(h.cells))
	case "td", "th":
		h.closePara()
		if h.quote > 0 || len(h.tables) == 0 {
			return nil
		}
		h.endCell()
		if closing {
			return nil
		}
		t := h.tables[len(h.tables)-1]
		if len(t.rows) == 0 {
			t.rows = append(t.rows, row{})
		}
		if err := h.bud.addBlock(); err != nil {
			return err
		}
		c := &cell{span: 1}
		if v := attrHTML(raw, "colspan"); v != "" {
			if k, err := strconv.Atoi(v); err == nil && k > 0 && k < 1000 {
				c.span = k
			}
		}
		c.col = nextCol(t.rows[len(t.rows)-1])
		h.cells = append(h.cells, c)
		h.conts = append(h.conts, &c.blocks)
	}
	if name == "tr" && !closing && len(h.tables) > 0 && h.quote == 0 {
		h.endCell()
		if err := h.bud.addBlock(); err != nil {
			return err
		}
		t := h.tables[len(h.tables)-1]
		t.rows = append(t.rows, row{})
	}
	return nil
}

// endCell closes the open cell of the innermost table, if any.
func (h *htmlReader) endCell() {
	if len(h.tables) == 0 || len(h.cells) <= h.base[len(h.base)-1] {
		return
	}
	// the open cell must belong to the innermost table: cells open = tables open with a cell
	h.closePara()
	c := h.cells[len(h.cells)-1]
	if len(h.conts) <= 1 || h.conts[len(h.conts)-1] != &c.blocks {
		return
	}
	h.cells = h.cells[:len(h.cells)-1]
	h.conts = h.conts[:len(h.conts)-1]
	t := h.tables[len(h.tables)-1]
	if len(t.rows) == 0 {
		t.rows = append(t.rows, row{})
	}
	r := &t.rows[len(t.rows)-1]
	r.cells = append(r.cells, *c)
}

// attrHTML is the value of attribute name in a raw tag ("input type=checkbox
// name=x checked"), "" when absent.
func attrHTML(tag, name string) string {
	v, _ := htmlAttr(tag, name)
	return v
}

// htmlAttr finds attribute name in a raw tag, reading attributes one by one, so
// that a name or value that merely contains the word ("name=checked_by") is not it.
func htmlAttr(tag, name string) (string, bool) {
	s := tag
	// skip the element name
	if i := strings.IndexAny(s, " \t\r\n/"); i >= 0 {
		s = s[i:]
	} else {
		return "", false
	}
	for {
		s = strings.TrimLeft(s, " \t\r\n/")
		if s == "" {
			return "", false
		}
		i := strings.IndexAny(s, " \t\r\n/=")
		if i < 0 {
			i = len(s)
		}
		key := s[:i]
		s = strings.TrimLeft(s[i:], " \t\r\n")
		val, has := "", false
		if strings.HasPrefix(s, "=") {
			has = true
			s = strings.TrimLeft(s[1:], " \t\r\n")
			if s != "" && (s[0] == '"' || s[0] == '\'') {
				q := s[0]
				s = s[1:]
				j := strings.IndexByte(s, q)
				if j < 0 {
					j = len(s)
				}
				val = s[:j]
				s = s[min(j+1, len(s)):]
			} else {
				j := strings.IndexAny(s, " \t\r\n")
				if j < 0 {
					j = len(s)
				}
				val = s[:j]
				s = s[j:]
			}
		}
		if strings.EqualFold(key, name) {
			return html.UnescapeString(val), true
		}
		if key == "" && !has {
			return "", false
		}
		if key == "" {
			continue
		}
	}
}

// mailtoAddr is the address of a mailto: link target, "" for any other target.
func mailtoAddr(href string) string {
	href = strings.TrimSpace(href)
	if len(href) < 7 || !strings.EqualFold(href[:7], "mailto:") {
		return ""
	}
	a := href[7:]
	if i := strings.IndexByte(a, '?'); i >= 0 {
		a = a[:i]
	}
	if u, err := url.PathUnescape(a); err == nil {
		a = u
	}
	if !strings.Contains(a, "@") || strings.ContainsAny(a, " <>\"") || len(a) > 254 {
		return ""
	}
	return a
}
