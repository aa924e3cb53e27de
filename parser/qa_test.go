package parser

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestUnQA(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"two lines", []string{"Q: Agency", "A: Fictional Housing", "Q: Initials", "A: BT"},
			[]string{"Agency", "Fictional Housing", "Initials", "BT"}},
		{"one line", []string{"Q1. Is the child known to your agency? A: No", "Q2) Family known? A: Yes"},
			[]string{"Is the child known to your agency?:\tNo", "Family known?:\tYes"}},
		{"one question is no layout", []string{"Q: Agency", "A: Fictional Housing"},
			[]string{"Q: Agency", "A: Fictional Housing"}},
		{"quarters are no questions", []string{"Q1 2025: two visits", "Q2 2025: one visit"},
			[]string{"Q1 2025: two visits", "Q2 2025: one visit"}},
		{"answer under its question", []string{"Agency", "Answer: Fictional Homes", "Initials", "A: BT", "Open now?", "Response: No ✔"},
			[]string{"Agency", "Fictional Homes", "Initials", "BT", "Open now?", "No ✔"}},
		{"one answer is no layout", []string{"Agency", "Answer: Fictional Homes", "a) Option"},
			[]string{"Agency", "Answer: Fictional Homes", "a) Option"}},
		{"options are no answers", []string{"Recommendation", "a) Review", "b) No review"},
			[]string{"Recommendation", "a) Review", "b) No review"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range unQA(linesToBlocks(tt.in)) {
				got = append(got, b.text)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("unQA(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// questionLine is reQ on the lines where its first byte can match, answerLine
// reAnswer on those that hold a colon: the same answers on crafted lines and on
// every line of the text fixtures.
func TestQuestionLineAsExpression(t *testing.T) {
	lines := []string{"", " ", "Q", "Q:", "Q: Agency", "  Q1. x", "\tQ2) y", "\r\nQ: z", "\fQuestion 3: w", "Question:", "Questions: none",
		"q: lower", "Q1 2025: two visits", " A: no", "Answer: x", "answer : x", "A:", "A: ", "Response: No", "RESPONSE:\ty", "reſponse: y", "a) Option", "Address: 1 Road", "QQ: x", "Q 12 . x", "\u00a0Q: nbsp", "Qu: x"}
	ents, _ := os.ReadDir("testdata")
	for _, e := range ents {
		if ext := filepath.Ext(e.Name()); ext == ".txt" || ext == ".html" {
			b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, strings.Split(string(b), "\n")...)
		}
	}
	for _, l := range lines {
		if got, want := questionLine(l), reQ().MatchString(l); got != want {
			t.Errorf("questionLine(%q) = %v, want %v", l, got, want)
		}
		tl := strings.TrimLeft(l, " \t")
		want := tl != "" && strings.ContainsRune("AaRr", rune(tl[0])) && reAnswer().MatchString(tl)
		if got := answerLine(l); got != want {
			t.Errorf("answerLine(%q) = %v, want %v", l, got, want)
		}
	}
}
