package parser

import (
	"regexp"
	"strings"
)

// Question-and-answer layouts ("Q: Is the child known to your agency?" then
// "A: Yes", on one line or two) are read as the label-then-answer layouts they
// are: the markers go, a question and answer on one line become "question: answer".
var (
	reQ     = regexp.MustCompile(`^\s*(?:Q(?:uestion)?\s*\d*\s*[:.)])\s*`) // not "Q1 2025", a quarter
	reA     = regexp.MustCompile(`^\s*A(?:nswer)?\s*\d*\s*[:.)]\s*`)
	reQAMid = regexp.MustCompile(`\s+A(?:nswer)?\s*[:.)]\s+`)
)

// unQA rewrites the paragraphs of a document that uses Q:/A: markers on at least
// two questions; any other document is returned as it is.
func unQA(bs []block) []block {
	if countQ(bs) < 2 {
		return bs
	}
	return rewriteQA(bs)
}

func countQ(bs []block) int {
	n := 0
	for _, b := range bs {
		if b.table != nil {
			for _, r := range b.table.rows {
				for _, c := range r.cells {
					n += countQ(c.blocks)
				}
			}
			continue
		}
		for _, l := range strings.Split(b.text, "\n") {
			if reQ.MatchString(l) {
				n++
			}
		}
	}
	return n
}

func rewriteQA(bs []block) []block {
	out := make([]block, 0, len(bs))
	for _, b := range bs {
		if b.table != nil {
			t := &table{rows: make([]row, len(b.table.rows))}
			for i, r := range b.table.rows {
				t.rows[i].cells = make([]cell, len(r.cells))
				for j, c := range r.cells {
					c.blocks = rewriteQA(c.blocks)
					t.rows[i].cells[j] = c
				}
			}
			out = append(out, block{table: t})
			continue
		}
		lines := strings.Split(b.text, "\n")
		for i, l := range lines {
			if loc := reQ.FindStringIndex(l); loc != nil {
				q := l[loc[1]:]
				if m := reQAMid.FindStringIndex(q); m != nil {
					label := strings.TrimRight(strings.TrimSpace(q[:m[0]]), ":")
					q = label + ":\t" + strings.TrimSpace(q[m[1]:])
				}
				lines[i] = q
			} else if loc := reA.FindStringIndex(l); loc != nil {
				lines[i] = l[loc[1]:]
			}
		}
		out = append(out, block{text: strings.Join(lines, "\n")})
	}
	return out
}
