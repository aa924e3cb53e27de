package parser

import (
	"math"
	"sort"
	"unicode"
)

// Tables drawn without borders. A form laid out in a table whose borders are
// not drawn still puts every answer at the same distance from the left edge:
// where many lines start a run of text at one x, past a gap, that x is the edge
// of an answer column. The lines that do not run across it are read as a
// two-column table: a label on the left, its answer on the right, a row
// starting where a label starts that does not continue a full line above.

const (
	pdfMinColumnLines = 5   // lines that must start an answer at one x
	pdfCellPad        = 5.4 // a cell's inner margin, Word's and LibreOffice's default (0.19 cm)
)

// pdfLineGroups groups glyphs into lines as pdfLayout does, each left to right.
func pdfLineGroups(glyphs []pdfGlyph) [][]pdfGlyph {
	idx := make([]int, 0, len(glyphs))
	for i := range glyphs {
		if !glyphs[i].rule && glyphs[i].text != "" {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return glyphs[idx[a]].y > glyphs[idx[b]].y })
	var out [][]pdfGlyph
	for start := 0; start < len(idx); {
		g0 := glyphs[idx[start]]
		end := start + 1
		for end < len(idx) {
			g := glyphs[idx[end]]
			if math.Abs(g.y-g0.y) > math.Max(1, 0.45*math.Max(g0.size, g.size)) {
				break
			}
			end++
		}
		line := make([]pdfGlyph, 0, end-start)
		for _, k := range idx[start:end] {
			line = append(line, glyphs[k])
		}
		sort.SliceStable(line, func(a, b int) bool { return line[a].x < line[b].x })
		out = append(out, line)
		start = end
	}
	return out
}

// segmentStarts are the x where a line starts a run of text after a gap of
// more than 0.6 of the font size (a column's edge past a label that fills its
// cell); columnStarts those after a gap of more than 1.8 (another column).
func segmentStarts(line []pdfGlyph) []float64 { return gapStarts(line, 0.6) }

func columnStarts(line []pdfGlyph) []float64 { return gapStarts(line, 1.8) }

func gapStarts(line []pdfGlyph, gap float64) []float64 {
	var xs []float64
	for k := 1; k < len(line); k++ {
		g, p := line[k], line[k-1]
		if g.text == " " {
			continue
		}
		j := k - 1
		for j > 0 && line[j].text == " " {
			j--
		}
		p = line[j]
		if g.x-(p.x+p.w) > gap*math.Max(g.size, 1) {
			xs = append(xs, g.x)
		}
	}
	return xs
}

// pdfColumnBlocks reads a page without borders that has an answer column; nil
// when it has none. cells counts the table cells made so far in the document.
func pdfColumnBlocks(text []pdfGlyph, cells *int) []block {
	lines := pdfLineGroups(text)
	if len(lines) < pdfMinColumnLines {
		return nil
	}
	left := math.Inf(1)
	count := map[int]int{}
	for _, l := range lines {
		left = math.Min(left, l[0].x)
		seen := map[int]bool{}
		for _, x := range segmentStarts(l) {
			k := int(math.Round(x))
			if !seen[k] {
				seen[k] = true
				count[k]++
			}
		}
	}
	best, bestN := 0, 0
	for k, n := range count {
		n += count[k-1] + count[k+1]
		if n > bestN || (n == bestN && k < best) {
			best, bestN = k, n
		}
	}
	x2 := float64(best)
	if bestN < pdfMinColumnLines || x2 < left+40 {
		return nil
	}
	// which lines keep clear of the column's edge, and which start an answer at it
	in := make([]bool, len(lines))
	starts := make([]bool, len(lines))
	for i, l := range lines {
		// in: nothing runs across the edge, no other column starts in the line
		// (a table of more columns is left as lines), and where the line has text
		// on both sides, a gap separates them at the edge
		in[i] = true
		lastL := -1
		for k, g := range l {
			if g.text != " " && g.x < x2-1.5 && g.x+g.w > x2+1.5 {
				in[i] = false
			}
			if g.text != " " && g.x < x2-1.5 {
				lastL = k
			}
		}
		for _, x := range segmentStarts(l) {
			if math.Abs(x-x2) <= 1.5 {
				starts[i] = true
			}
		}
		for _, x := range columnStarts(l) {
			if x > x2+1.5 || x < x2-1.5 {
				in[i] = false
			}
		}
		if math.Abs(l[0].x-x2) <= 1.5 {
			starts[i] = true
		}
		rightText := false
		for _, g := range l[lastL+1:] {
			rightText = rightText || g.text != " "
		}
		if lastL >= 0 && rightText && !starts[i] {
			in[i] = false // text on both sides with no gap at the edge: one run across it
		}
	}
	var out []block
	for i := 0; i < len(lines); {
		if !in[i] {
			out = append(out, pdfTextBlocks(lines[i])...)
			i++
			continue
		}
		j, n := i, 0
		for j < len(lines) && in[j] {
			if starts[j] {
				n++
			}
			j++
		}
		if n < 1 {
			for ; i < j; i++ {
				out = append(out, pdfTextBlocks(lines[i])...)
			}
			continue
		}
		t, made := pdfColumnTable(lines[i:j], left, x2)
		if *cells+made > pdfMaxCells {
			return nil
		}
		*cells += made
		out = append(out, block{table: t})
		i = j
	}
	return out
}

func pdfTextBlocks(line []pdfGlyph) []block {
	var bs []block
	for _, l := range pdfLayout(line) {
		bs = append(bs, block{text: l.text})
	}
	return bs
}

// pdfColumnTable makes the rows of a run of lines split at x2.
func pdfColumnTable(lines [][]pdfGlyph, left, x2 float64) (*table, int) {
	right := x2
	for _, l := range lines {
		for _, g := range l {
			right = math.Max(right, g.x+g.w)
		}
	}
	right += pdfCellPad
	split := func(l []pdfGlyph) (lg, rg []pdfGlyph) {
		for _, g := range l {
			if g.x < x2-1.5 {
				lg = append(lg, g)
			} else {
				rg = append(rg, g)
			}
		}
		return lg, rg
	}
	limitL, limitR := x2-2*pdfCellPad, right-pdfCellPad
	layout1 := func(gs []pdfGlyph) *pdfLine {
		if len(gs) == 0 {
			return nil
		}
		if ls := pdfLayout(gs); len(ls) > 0 {
			return &ls[0]
		}
		return nil
	}
	// full: the line before would not have taken this line's first word
	full := func(prev, cur *pdfLine, limit float64) bool {
		return prev != nil && cur != nil && prev.x1+0.33*prev.size+cur.firstW > limit
	}
	type rowGlyphs struct{ l, r []pdfGlyph }
	var rows []rowGlyphs
	var prevL, prevR *pdfLine // the row's last line on each side
	for _, l := range lines {
		lg, rg := split(l)
		curL, curR := layout1(lg), layout1(rg)
		var fresh bool // a row's label and answer start on the same line, at its top
		switch {
		case curL == nil:
		case curR != nil:
			// both sides go on from full lines, and the label does not start
			// like a new one ("subject of a criminal | Notreal")
			fresh = !(full(prevL, curL, limitL) && full(prevR, curR, limitR) && !startsUpper(curL.text))
		default:
			fresh = !full(prevL, curL, limitL) && startsUpper(curL.text)
		}
		if len(rows) == 0 || fresh {
			rows = append(rows, rowGlyphs{})
			prevL, prevR = nil, nil
		}
		r := &rows[len(rows)-1]
		r.l = append(r.l, lg...)
		r.r = append(r.r, rg...)
		if curL != nil {
			prevL = curL
		}
		if curR != nil {
			prevR = curR
		}
	}
	t := &table{}
	for _, r := range rows {
		lb, _ := pdfCellParas(r.l, left-pdfCellPad, x2-pdfCellPad)
		rb, _ := pdfCellParas(r.r, x2-pdfCellPad, right)
		t.rows = append(t.rows, row{cells: []cell{{col: 0, span: 1, blocks: lb}, {col: 1, span: 1, blocks: rb}}})
	}
	return t, 2 * len(rows)
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r) || unicode.IsDigit(r)
	}
	return false
}
