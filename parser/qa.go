package parser

import (
	"strings"
)

// Question-and-answer layouts ("Q: Is the child known to your agency?" then
// "A: Yes", on one line or two) are read as the label-then-answer layouts they
// are: the markers go, a question and answer on one line become "question: answer".
var (
	reQ = lazyRegexp(`^\s*(?:Q(?:uestion)?\s*\d*\s*[:.)])\s*`) // not "Q1 2025", a quarter
	reA = lazyRegexp(`^\s*(?:A(?:nswer)?\s*\d*\s*[:.)]|Response\s*:)\s*`)
	// reAnswer is an answer typed under its printed question ("Answer: Kim Madeup",
	// "A: BT", "Response: No"); the colon is required there, "a)" is an option.
	reAnswer = lazyRegexp(`^\s*(?i:answer|response|a)\s*:\s*\S`)
	reQAMid  = lazyRegexp(`\s+A(?:nswer)?\s*[:.)]\s+`)
)

// unQA rewrites the paragraphs of a document that uses Q:/A: markers on at least
// two questions, or that answers at least two printed questions on the line under
// each after "Answer:" (or "A:", "Response:"); any other document is returned as
// it is.
func unQA(bs []block) []block {
	q, a := countQ(bs, "")
	switch {
	case q >= 2:
		return rewriteQA(bs)
	case a >= 2:
		return stripAnswers(bs)
	}
	return bs
}

// countQ counts the lines of bs that ask a question with a Q: marker, and the
// lines that answer the line before them after an answer marker (prev is the line
// before bs, "" none).
func countQ(bs []block, prev string) (q, a int) {
	for _, b := range bs {
		if b.table != nil {
			for _, r := range b.table.rows {
				for _, c := range r.cells {
					cq, ca := countQ(c.blocks, "")
					q, a = q+cq, a+ca
				}
			}
			prev = ""
			continue
		}
		for s, more := b.text, true; more; {
			var l string
			l, s, more = strings.Cut(s, "\n")
			if strings.TrimSpace(l) == "" {
				continue
			}
			if questionLine(l) {
				q++
			} else if answerLine(l) && prev != "" && !answerLine(prev) && !questionLine(prev) {
				a++
			}
			prev = l
		}
	}
	return q, a
}

// questionLine reports whether l starts with a question marker ("Q: …"): reQ,
// run only where the first byte after the spaces it skips is a Q.
func questionLine(l string) bool {
	t := strings.TrimLeft(l, " \t\n\f\r")
	return t != "" && t[0] == 'Q' && reQ().MatchString(l)
}

// answerLine reports whether l starts with an answer marker ("Answer: …").
func answerLine(l string) bool {
	t := strings.TrimLeft(l, " \t")
	if t == "" {
		return false
	}
	switch t[0] {
	case 'A', 'a', 'R', 'r':
		return strings.IndexByte(t, ':') >= 0 && reAnswer().MatchString(t) // it needs a colon
	}
	return false
}

// stripAnswers takes the answer markers off the lines that start with one.
func stripAnswers(bs []block) []block {
	out := make([]block, 0, len(bs))
	for _, b := range bs {
		if b.table != nil {
			t := &table{rows: make([]row, len(b.table.rows))}
			for i, r := range b.table.rows {
				t.rows[i].cells = make([]cell, len(r.cells))
				for j, c := range r.cells {
					c.blocks = stripAnswers(c.blocks)
					t.rows[i].cells[j] = c
				}
			}
			out = append(out, block{table: t})
			continue
		}
		lines := strings.Split(b.text, "\n")
		for i, l := range lines {
			if answerLine(l) {
				t := strings.TrimSpace(l)
				lines[i] = strings.TrimSpace(t[strings.IndexByte(t, ':')+1:])
			}
		}
		out = append(out, block{text: strings.Join(lines, "\n")})
	}
	return out
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
			if loc := reQ().FindStringIndex(l); loc != nil {
				q := l[loc[1]:]
				if m := reQAMid().FindStringIndex(q); m != nil {
					label := strings.TrimRight(strings.TrimSpace(q[:m[0]]), ":")
					q = label + ":\t" + strings.TrimSpace(q[m[1]:])
				}
				lines[i] = q
			} else if loc := reA().FindStringIndex(l); loc != nil {
				lines[i] = l[loc[1]:]
			}
		}
		out = append(out, block{text: strings.Join(lines, "\n")})
	}
	return out
}
