package parser

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tables in a PDF's text layer. A PDF has no tables, only glyphs and lines drawn
// on the page; a form printed from Word or LibreOffice draws each table's borders.
// The borders give the grid (rows between horizontal rules, cells between the
// vertical rules that cross the row), the glyphs inside a cell give its text, and
// where a cell's lines wrap they are joined back into paragraphs.

const (
	pdfMaxTableRules = 4000   // borders on one page read as tables; past it, lines only
	pdfMaxPageCells  = 20000  // cells of the tables on one page; past it, lines only
	pdfMaxCells      = 100000 // cells of the tables of the whole document; past it, lines only
	pdfMaxRowLines   = 8      // lines inside one row (underlines) before its bottom border
)

type pdfBand struct {
	top, bot float64
	xs       []float64 // cell boundaries, left to right
}

type pdfGrid struct {
	bands []pdfBand
	cols  []float64 // every boundary of the grid, left to right
}

// pdfPageBlocks lays out one page: its tables, and its other text as lines, top
// to bottom. lines is the page laid out as lines (pdfLayout), cells counts the
// table cells made so far in the document.
func pdfPageBlocks(glyphs []pdfGlyph, lines []pdfLine, cells *int, edges map[*table]pdfEdges) []block {
	asLines := func() []block {
		bs := make([]block, len(lines))
		for i, l := range lines {
			bs[i] = block{text: l.text}
		}
		return bs
	}
	var hs, vs []pdfGlyph
	nText := 0
	for _, g := range glyphs {
		switch {
		case !g.rule:
			nText++
		case g.size < 0.6:
			hs = append(hs, g)
		default:
			vs = append(vs, g)
		}
	}
	grids := pdfGrids(hs, vs)
	n := 0
	for _, g := range grids {
		for _, b := range g.bands {
			n += len(b.xs) - 1
		}
	}
	if len(grids) == 0 && nText <= pdfMaxPageCells*4 {
		text := make([]pdfGlyph, 0, nText)
		for _, g := range glyphs {
			if !g.rule {
				text = append(text, g)
			}
		}
		if bs := pdfColumnBlocks(text, cells); bs != nil {
			return bs
		}
	}
	if len(grids) == 0 || n > pdfMaxPageCells || *cells+n > pdfMaxCells {
		return asLines()
	}
	*cells += n
	text := make([]pdfGlyph, 0, nText)
	for _, g := range glyphs {
		if !g.rule {
			text = append(text, g)
		}
	}
	type bandRef struct{ g, b int }
	var bands []bandRef
	for gi, g := range grids {
		for bi := range g.bands {
			bands = append(bands, bandRef{gi, bi})
		}
	}
	sort.Slice(bands, func(a, b int) bool {
		return grids[bands[a].g].bands[bands[a].b].top > grids[bands[b].g].bands[bands[b].b].top
	})
	// glyphs of each cell: grid → band → cell
	inCell := make([][][][]pdfGlyph, len(grids))
	for gi, g := range grids {
		inCell[gi] = make([][][]pdfGlyph, len(g.bands))
		for bi, b := range g.bands {
			inCell[gi][bi] = make([][]pdfGlyph, len(b.xs)-1)
		}
	}
	var outside []pdfGlyph
	for _, gl := range text {
		gx, gy := gl.x+gl.w/2, gl.y+0.25*gl.size
		// the first band (top down) whose bottom is below the glyph
		k := sort.Search(len(bands), func(i int) bool {
			return grids[bands[i].g].bands[bands[i].b].bot < gy
		})
		placed := false
		if k < len(bands) {
			ref := bands[k]
			b := grids[ref.g].bands[ref.b]
			if gy < b.top && gx >= b.xs[0] && gx < b.xs[len(b.xs)-1] {
				for c := 0; c+1 < len(b.xs); c++ {
					if gx >= b.xs[c] && gx < b.xs[c+1] {
						inCell[ref.g][ref.b][c] = append(inCell[ref.g][ref.b][c], gl)
						placed = true
						break
					}
				}
			}
		}
		if !placed {
			outside = append(outside, gl)
		}
	}
	type item struct {
		y float64
		b block
	}
	var items []item
	for _, l := range pdfLayout(outside) {
		items = append(items, item{l.y, block{text: l.text}})
	}
	for gi, g := range grids {
		t := &table{}
		var e pdfEdges
		for bi, b := range g.bands {
			var r row
			var re []cellEdge
			for c := 0; c+1 < len(b.xs); c++ {
				col, end := pdfCol(g.cols, b.xs[c]), pdfCol(g.cols, b.xs[c+1])
				bs, ce := pdfCellParas(inCell[gi][bi][c], b.xs[c], b.xs[c+1])
				r.cells = append(r.cells, cell{col: col, span: max(1, end-col), blocks: bs})
				re = append(re, ce)
			}
			t.rows = append(t.rows, r)
			if bi == 0 {
				e.first = re
			}
			e.last = re
		}
		e.cols = g.cols
		edges[t] = e
		items = append(items, item{g.bands[0].top, block{table: t}})
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].y > items[b].y })
	out := make([]block, len(items))
	for i, it := range items {
		out[i] = it.b
	}
	return out
}

func pdfCol(cols []float64, x float64) int {
	for i, c := range cols {
		if math.Abs(c-x) < 2.5 {
			return i
		}
	}
	return 0
}

// cluster sorts vs and merges values closer than tol.
func cluster(vs []float64, tol float64, desc bool) []float64 {
	sort.Float64s(vs)
	var out []float64
	for _, v := range vs {
		if len(out) > 0 && v-out[len(out)-1] < tol {
			continue
		}
		out = append(out, v)
	}
	if desc {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// pdfGrids finds the tables a page's borders draw.
func pdfGrids(hs, vs []pdfGlyph) []pdfGrid {
	if len(hs) < 2 || len(vs) < 2 || len(hs)+len(vs) > pdfMaxTableRules {
		return nil
	}
	ys := make([]float64, len(hs))
	for i, h := range hs {
		ys[i] = h.y
	}
	// 2.5pt: an HTML table's cells are boxed apart (cellspacing), each row's
	// bottom border a point or two above the next row's top
	levels := cluster(ys, 2.5, true)
	// coverage is how much of [x0, x1] the horizontal borders at y cover.
	coverage := func(y, x0, x1 float64) float64 {
		sum := 0.0
		for _, h := range hs {
			if math.Abs(h.y-y) < 2.5 {
				sum += math.Max(0, math.Min(h.x+h.w, x1)-math.Max(h.x, x0))
			}
		}
		return sum / math.Max(x1-x0, 1)
	}
	var buf []float64
	crossing := func(top, bot float64) []float64 {
		xs := buf[:0]
		for _, v := range vs {
			if v.y <= bot+2 && v.y+v.size >= top-2 {
				xs = append(xs, v.x)
			}
		}
		buf = xs
		return cluster(xs, 2.5, false)
	}
	var bands []pdfBand
	cells := 0
	for i := 0; i+1 < len(levels); i++ {
		top := levels[i]
		for j := i + 1; j < len(levels) && j <= i+pdfMaxRowLines; j++ {
			bot := levels[j]
			if top-bot < 3 {
				continue
			}
			xs := crossing(top, bot)
			if len(xs) < 2 {
				break
			}
			x0, x1 := xs[0], xs[len(xs)-1]
			if coverage(top, x0, x1) < 0.5 {
				break // not the top border of a row
			}
			if coverage(bot, x0, x1) < 0.5 {
				continue // a line inside the row (an underline): the row goes on below it
			}
			if cells += len(xs) - 1; cells > pdfMaxPageCells {
				return nil // no form has that many: the page reads as lines
			}
			bands = append(bands, pdfBand{top: top, bot: bot, xs: xs})
			i = j - 1
			break
		}
	}
	var grids []pdfGrid
	for _, b := range bands {
		if n := len(grids); n > 0 {
			g := &grids[n-1]
			last := g.bands[len(g.bands)-1]
			if math.Abs(last.bot-b.top) < 1.5 && math.Abs(last.xs[0]-b.xs[0]) < 3 && math.Abs(last.xs[len(last.xs)-1]-b.xs[len(b.xs)-1]) < 3 {
				g.bands = append(g.bands, b)
				continue
			}
		}
		grids = append(grids, pdfGrid{bands: []pdfBand{b}})
	}
	for gi := range grids {
		var all []float64
		for _, b := range grids[gi].bands {
			all = append(all, b.xs...)
		}
		grids[gi].cols = cluster(all, 2.5, false)
	}
	return grids
}

// pdfCellParas turns a cell's glyphs into its paragraphs: a line joins the one
// before when that one was full (its next word would not have fitted), with no
// space after a hyphen or inside a word too long for the cell.
func pdfCellParas(glyphs []pdfGlyph, left, right float64) ([]block, cellEdge) {
	lines := pdfLayout(glyphs)
	if len(lines) == 0 {
		return nil, cellEdge{}
	}
	pad := math.Min(math.Max(lines[0].x0-left, 1), 12)
	limit := right - pad
	last := lines[len(lines)-1]
	edge := cellEdge{filled: true, firstW: lines[0].firstW, lastX1: last.x1, limit: limit, size: last.size}
	var out []block
	var cur strings.Builder
	for i, l := range lines {
		text := strings.ReplaceAll(l.text, "\t", " ")
		if i > 0 {
			p := lines[i-1]
			space := 0.33 * p.size // about a space of the common text fonts
			full := p.x1+space+l.firstW > limit
			// an address too long for its cell, broken where the cell ended, or a
			// word so broken ("Safeguardi" "ng"): see midWord
			alone := !strings.ContainsAny(p.text, " \t")
			forced := alone && strings.Contains(p.text, "@") && p.x1 > limit-0.6*p.size
			switch {
			case forced:
			case full && alone && p.x1 > limit-p.size && midWord(p.text, text):
				// LibreOffice breaks a word too long for its cell where the cell ends
			case full && strings.HasSuffix(p.text, "-") && !strings.HasSuffix(p.text, " -"):
				// a break after a hyphen: "Example-" "Step"
			case full:
				cur.WriteByte(' ')
			default:
				out = append(out, block{text: cur.String()})
				cur.Reset()
			}
		}
		cur.WriteString(text)
	}
	return append(out, block{text: cur.String()}), edge
}

// midWord reports whether a line that starts with the rest of a word continues
// prev, a line of one word that reached the cell's edge: the break is inside the
// word when the rest starts in lower case after a lower-case letter and is no word
// of its own ("ng", "n", "e": no vowel, or one letter other than "a"; a whole word
// such as "not" after "household" wrapped there, and keeps its space).
func midWord(prev, next string) bool {
	last, _ := utf8.DecodeLastRuneInString(prev)
	if !unicode.IsLower(last) {
		return false
	}
	end := strings.IndexFunc(next, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(next)
	}
	tail := next[:end]
	if tail == "" {
		return false
	}
	if first, _ := utf8.DecodeRuneInString(tail); !unicode.IsLower(first) {
		return false
	}
	if utf8.RuneCountInString(tail) == 1 {
		return tail != "a"
	}
	return !strings.ContainsAny(tail, "aeiouy")
}

// cellEdge is where a cell's text begins and ends, to tell a row a page break
// split (its last line was full) from a new row.
type cellEdge struct {
	filled              bool
	firstW              float64 // width of the first word
	lastX1, limit, size float64 // right end of the last line; where the cell's text must end
}

// pdfEdges are the edges of a table's first and last rows.
type pdfEdges struct {
	first, last []cellEdge
	cols        []float64 // the grid's column boundaries
}

// continues reports whether row next (the first on a page) is the rest of row prev
// (the last on the page before): every cell it fills was filled above and full,
// so that its first word could not have fitted there.
func continues(prev, next []cellEdge) bool {
	if len(prev) != len(next) {
		return false
	}
	any := false
	for j, n := range next {
		if !n.filled {
			continue
		}
		p := prev[j]
		if !p.filled || p.lastX1+0.33*p.size+n.firstW <= p.limit {
			return false
		}
		any = true
	}
	return any
}

// pdfJoinPages appends a page's blocks to the document's. A table the page starts
// with continues the table the last page ended with when they have the same
// columns; a first row that starts in lower case, or whose every cell continues a
// full last line of the row above (continues), is the rest of that row, split by
// the page break.
func pdfJoinPages(doc, page []block, edges map[*table]pdfEdges) []block {
	if len(doc) == 0 || len(page) == 0 {
		return append(doc, page...)
	}
	prev, next := doc[len(doc)-1].table, page[0].table
	if prev == nil || next == nil || len(prev.rows) == 0 || len(next.rows) == 0 {
		return append(doc, page...)
	}
	pc, nc := edges[prev].cols, edges[next].cols
	if len(pc) < 2 || len(nc) < 2 || math.Abs(pc[0]-nc[0]) > 3 || math.Abs(pc[len(pc)-1]-nc[len(nc)-1]) > 3 {
		return append(doc, page...)
	}
	// one grid for both: a row of one merged cell above and Yes | ☒ below
	all := cluster(append(append([]float64{}, pc...), nc...), 2.5, false)
	t := &table{rows: regrid(prev.rows, pc, all)}
	rows := regrid(next.rows, nc, all)
	last := &t.rows[len(t.rows)-1]
	if first := rows[0]; sameCells(*last, first) && (startsLower(first) || continues(edges[prev].last, edges[next].first)) {
		cells := make([]cell, len(last.cells))
		copy(cells, last.cells)
		for j := range cells {
			add := first.cells[j].blocks
			if len(add) == 0 {
				continue
			}
			bs := append([]block{}, cells[j].blocks...)
			if n := len(bs); n > 0 && bs[n-1].table == nil && add[0].table == nil {
				bs[n-1].text += " " + add[0].text
				add = add[1:]
			}
			cells[j].blocks = append(bs, add...)
		}
		last.cells = cells
		rows = rows[1:]
	}
	t.rows = append(t.rows, rows...)
	edges[t] = pdfEdges{first: edges[prev].first, last: edges[next].last}
	out := append(doc[:len(doc)-1:len(doc)-1], block{table: t})
	return append(out, page[1:]...)
}

// regrid renumbers the cells of rows laid on the column boundaries from onto the
// boundaries to (which hold every one of from's).
func regrid(rows []row, from, to []float64) []row {
	out := make([]row, len(rows))
	for i, r := range rows {
		cells := make([]cell, len(r.cells))
		for j, c := range r.cells {
			x0 := from[min(c.col, len(from)-1)]
			x1 := from[min(c.col+c.span, len(from)-1)]
			c.col = pdfCol(to, x0)
			c.span = max(1, pdfCol(to, x1)-c.col)
			cells[j] = c
		}
		out[i] = row{cells: cells}
	}
	return out
}

func sameCells(a, b row) bool {
	if len(a.cells) != len(b.cells) {
		return false
	}
	for j := range a.cells {
		if a.cells[j].col != b.cells[j].col || a.cells[j].span != b.cells[j].span {
			return false
		}
	}
	return true
}

// startsLower reports whether the row's first text begins with a lower-case letter.
func startsLower(r row) bool {
	for _, c := range r.cells {
		t := strings.TrimSpace(textOf(c.blocks))
		if t == "" {
			continue
		}
		for _, ch := range t {
			return unicode.IsLower(ch)
		}
	}
	return false
}
