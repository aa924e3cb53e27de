package parser

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The hand-written scanners match what the expressions they replace match, on
// strings drawn from the characters that matter to them.
func TestScannersMatchRegexps(t *testing.T) {
	reSection := regexp.MustCompile(`^\d{1,2}(\.\d{1,2})?\.?$`)
	reHeading := regexp.MustCompile(`^\d{1,2}(\.\d{1,2})*\.?\s+\p{L}`)
	alphabet := []string{"1", "2", "0", "9", ".", ".", " ", "\t", "\n", "\v", "a", "É", "x", "-", "/", ",", "ſ", "K", "é", "\xff", "Jan", "sep", "MAY", "3rd", "of "}
	r := rand.New(rand.NewPCG(1, 2))
	var cases []string
	for _, s := range []string{"", "1", "12", "123", "1.", "1.2", "1.23", "1.234", "1.2.", "1..", "1.2.3", "3 Learning", "2.4. Family", "22 Fictitious Avenue",
		"1.2.3.x", "12.345 x", "1 \t É", "1.\tb", "01/02/2026", "3 Dec 2026", "December 3, 2026", "3 ſep 2026", "no digits here", "9 .5", "9 -"} {
		cases = append(cases, s)
	}
	for i := 0; i < 200000; i++ {
		var sb strings.Builder
		for k := r.IntN(8); k >= 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	for _, s := range cases {
		if got, want := sectionNumber(s), reSection.MatchString(s); got != want {
			t.Errorf("sectionNumber(%q) = %v, want %v", s, got, want)
		}
		if got, want := numberedHeading(s), reHeading.MatchString(s); got != want {
			t.Errorf("numberedHeading(%q) = %v, want %v", s, got, want)
		}
		numeric, named := mayHoldDate(s)
		if !numeric && reNumDate().MatchString(s) {
			t.Errorf("mayHoldDate(%q) numeric = false, but reNumDate matches", s)
		}
		if !named && (reDayMonth().MatchString(s) || reMonthDay().MatchString(s)) {
			t.Errorf("mayHoldDate(%q) named = false, but a named-month date matches", s)
		}
		for _, w := range []string{"yes", "no", "y", "n", "k"} {
			if got, want := lowerIs(s, w), strings.ToLower(s) == w; got != want {
				t.Errorf("lowerIs(%q, %q) = %v, want %v", s, w, got, want)
			}
		}
	}
}

// markTokensRef is markTokens as it was written first, building each token.
func markTokensRef(s string) []string {
	s = typedBoxes.Replace(s)
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			if w := strings.Trim(cur.String(), "/'"); w != "" {
				out = append(out, cur.String())
			}
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case strings.ContainsRune("☒☑✓✔✗✘☐□⊠■❑❒🗹🗷", r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' || r == '\'':
			cur.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

func TestMarkTokensAsBefore(t *testing.T) {
	alphabet := []string{"Yes", "no", "x", "X", " ", "☒", "☐", "🗹", "[", "]", "(", ")", "[x]", "( )", "/", "'", "é", "\xff", "1", ":", "\n"}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		var sb strings.Builder
		for k := r.IntN(10); k >= 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := sb.String()
		if got, want := markTokens(s), markTokensRef(s); !slices.Equal(got, want) {
			t.Fatalf("markTokens(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestLetterPrefixAsRegexp(t *testing.T) {
	re := regexp.MustCompile(`^\s*\(?([a-jA-J])[).]\s+`)
	alphabet := []string{"a", "B", "j", "k", "J", "(", ")", ".", " ", "\t", "\v", "x", "é"}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 100000; i++ {
		var sb strings.Builder
		for k := r.IntN(7); k >= 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := sb.String()
		l, n := letterPrefix(s)
		m := re.FindStringSubmatch(s)
		if (m == nil) != (n == 0) || (m != nil && (len(m[0]) != n || strings.ToLower(m[1]) != l)) {
			t.Fatalf("letterPrefix(%q) = %q, %d; the expression gives %q", s, l, n, m)
		}
	}
}

// normRef is norm as it was first written, rune by rune.
func normRef(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	depth := 0
	space := true
	for _, r := range s {
		switch {
		case r == '(' || r == '[':
			depth++
			continue
		case r == ')' || r == ']':
			if depth > 0 {
				depth--
			}
			continue
		case depth > 0:
			continue
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == 'ʼ':
			continue
		case r == '&' || r == '+':
			if !space {
				sb.WriteByte(' ')
			}
			sb.WriteString("and ")
			space = true
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			sb.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				sb.WriteByte(' ')
				space = true
			}
		}
	}
	out := strings.TrimSpace(sb.String())
	if strings.Contains(out, "e mail") {
		out = strings.ReplaceAll(out, "e mail", "email")
	}
	// leading numbering: "1 1 childs details", "2 4 learning"
	for {
		i := strings.IndexByte(out, ' ')
		if i <= 0 || i > 3 || !isDigits(out[:i]) {
			break
		}
		out = out[i+1:]
	}
	return out
}

func TestNormAsBefore(t *testing.T) {
	alphabet := []string{"a", "B", "1", " 2 ", "(", ")", "[", "]", "&", "+", "'", "’", "`", "ʼ", "É", "ß", "-", "e-mail", "E mail", ".", "\t", "\xff", "К", "٣", " "}
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 200000; i++ {
		var sb strings.Builder
		for k := r.IntN(10); k >= 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := sb.String()
		if got, want := norm(s), normRef(s); got != want {
			t.Fatalf("norm(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestFindCaseRefAsRegexp(t *testing.T) {
	ref := func(s string) string {
		m := reCaseRef().FindStringSubmatch(s)
		if m == nil {
			return ""
		}
		return "LSCP-" + m[1] + "-" + m[2]
	}
	alphabet := []string{"LSCP", "lscp", "lſcp", "L", "S", "C", "P", "x", "_", " ", "-", "–", "/", "‐", "2026", "1", "007", "12", "\xff", "é"}
	r := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 300000; i++ {
		var sb strings.Builder
		for k := r.IntN(14); k >= 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := sb.String()
		if got, want := findCaseRef(s), ref(s); got != want {
			t.Fatalf("findCaseRef(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestRelationshipsAsRegexp(t *testing.T) {
	alphabet := []string{"<Relationship", "<Relationships", " ", "\n", "\t", ">", "<", "Id=\"rId1\"", "x", "\xff", "/>"}
	r := rand.New(rand.NewPCG(13, 14))
	for i := 0; i < 100000; i++ {
		var sb strings.Builder
		for k := r.IntN(10); k >= 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := []byte(sb.String())
		got, want := relationships(s), reRel().FindAll(s, 10000)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Fatalf("relationships(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestMayHoldDateNumeric(t *testing.T) {
	alphabet := []string{"1", "12", "2026", "123456", "/", ".", "-", " ", "\t", "a", "x", "0"}
	r := rand.New(rand.NewPCG(15, 16))
	for i := 0; i < 300000; i++ {
		var sb strings.Builder
		for k := r.IntN(9); k >= 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := sb.String()
		if numeric, _ := mayHoldDate(s); !numeric && reNumDate().MatchString(s) {
			t.Fatalf("mayHoldDate(%q) numeric = false, but reNumDate matches", s)
		}
	}
}
