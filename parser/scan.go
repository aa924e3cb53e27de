package parser

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hand-written scanners for patterns on the hot path of every line and cell, where
// regexp's backtracker cost more than the rest of the matching. Each says the
// expression it replaces; it matches exactly what that expression matches.

// digits is the length of the run of ASCII digits at the start of s (regexp's \d).
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// sectionNumber is `^\d{1,2}(\.\d{1,2})?\.?$`: "3", "2.4", "11.", "1.2." alone.
func sectionNumber(s string) bool {
	i := digits(s)
	if i < 1 || i > 2 {
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != '.' {
		return false
	}
	i++
	n := digits(s[i:])
	if n == 0 {
		return i == len(s)
	}
	if n > 2 {
		return false
	}
	i += n
	return i == len(s) || (s[i] == '.' && i+1 == len(s))
}

// isSpaceRE is regexp's \s: [\t\n\f\r ].
func isSpaceRE(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r'
}

// numberedHeading is `^\d{1,2}(\.\d{1,2})*\.?\s+\p{L}`: "3 Learning", "2.4. Family".
// A run of three digits, or a dot and three digits, cannot be matched by any way
// through the groups, so the scan never needs to back up.
func numberedHeading(s string) bool {
	i := digits(s)
	if i < 1 || i > 2 {
		return false
	}
	for i < len(s) && s[i] == '.' {
		n := digits(s[i+1:])
		if n == 0 {
			i++ // the optional final dot
			break
		}
		if n > 2 {
			return false
		}
		i += 1 + n
	}
	k := i
	for k < len(s) && isSpaceRE(s[k]) {
		k++
	}
	if k == i || k == len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[k:])
	return unicode.IsLetter(r)
}

// mayHoldDate reports whether findDate's expressions could match s: all need an
// ASCII digit; the numeric one a digit then a separator (after at most one \s);
// the named ones a month's first three letters, ASCII case-folded, or one of the
// two non-ASCII runes (ſ, K) that (?i) folds to ASCII letters.
func mayHoldDate(s string) (numeric, named bool) {
	hasDigit := false
	for i := 0; i < len(s); {
		n := digits(s[i:])
		if n == 0 {
			i++
			continue
		}
		hasDigit = true
		// reNumDate's three numbers are each a whole run of digits (a digit may
		// not follow any of them), the last of two or more, with a separator
		// between, a space allowed either side of it
		if j := numDateSep(s, i+n); j > 0 {
			if m := digits(s[j:]); m > 0 {
				if k := numDateSep(s, j+m); k > 0 && digits(s[k:]) >= 2 {
					numeric = true
					break
				}
			}
		}
		i += n
	}
	if !hasDigit {
		return false, false
	}
	if strings.Contains(s, "ſ") || strings.Contains(s, "K") {
		return numeric, true
	}
	for i := 0; i+3 <= len(s); i++ {
		switch s[i] | 0x20 {
		case 'j', 'f', 'm', 'a', 's', 'o', 'n', 'd':
		default:
			continue
		}
		if monthPrefix(uint32(s[i]|0x20)<<16 | uint32(s[i+1]|0x20)<<8 | uint32(s[i+2]|0x20)) {
			return numeric, true
		}
	}
	return numeric, false
}

// numDateSep is where the number after a date's separator at i would begin
// (`\s?[/.\-]\s?`), 0 when there is no separator there.
func numDateSep(s string, i int) int {
	if i < len(s) && isSpaceRE(s[i]) {
		i++
	}
	if i >= len(s) || (s[i] != '/' && s[i] != '.' && s[i] != '-') {
		return 0
	}
	i++
	if i < len(s) && isSpaceRE(s[i]) {
		i++
	}
	return i
}

// monthPrefix reports whether k, three lower-case bytes, begins a month's name.
func monthPrefix(k uint32) bool {
	switch k {
	case 'j'<<16 | 'a'<<8 | 'n', 'f'<<16 | 'e'<<8 | 'b', 'm'<<16 | 'a'<<8 | 'r', 'a'<<16 | 'p'<<8 | 'r',
		'm'<<16 | 'a'<<8 | 'y', 'j'<<16 | 'u'<<8 | 'n', 'j'<<16 | 'u'<<8 | 'l', 'a'<<16 | 'u'<<8 | 'g',
		's'<<16 | 'e'<<8 | 'p', 'o'<<16 | 'c'<<8 | 't', 'n'<<16 | 'o'<<8 | 'v', 'd'<<16 | 'e'<<8 | 'c':
		return true
	}
	return false
}

// isMarkGlyph is a tick-box glyph markTokens keeps as a token of its own.
func isMarkGlyph(r rune) bool {
	switch r {
	case '☒', '☑', '✓', '✔', '✗', '✘', '☐', '□', '⊠', '■', '❑', '❒', '🗹', '🗷':
		return true
	}
	return false
}

// lowerIs reports whether strings.ToLower(t) == w for a lower-case ASCII w, without
// lower-casing t when t is ASCII.
func lowerIs(t, w string) bool {
	if len(t) != len(w) {
		if len(t) < len(w) {
			return false
		}
		// a non-ASCII t may lower-case to a shorter string (K to k)
		for i := 0; i < len(t); i++ {
			if t[i] >= utf8.RuneSelf {
				return strings.ToLower(t) == w
			}
		}
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(t) == w
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// letterPrefix is `^\s*\(?([a-jA-J])[).]\s+`, an option's letter ("a) ", "(B). "):
// the letter lower-cased and the length of the match, 0 when there is none.
func letterPrefix(s string) (string, int) {
	i := 0
	for i < len(s) && isSpaceRE(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '(' {
		i++
	}
	if i+2 >= len(s) {
		return "", 0
	}
	c := s[i] | 0x20
	if c < 'a' || c > 'j' || (s[i+1] != ')' && s[i+1] != '.') {
		return "", 0
	}
	k := i + 2
	for k < len(s) && isSpaceRE(s[k]) {
		k++
	}
	if k == i+2 {
		return "", 0
	}
	return "abcdefghij"[c-'a' : c-'a'+1], k
}

// ascii reports whether s is all ASCII.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// indexLSCP is where reCaseRef (`(?i)\bLSCP…`) could first match in s, -1 nowhere:
// every match begins with "LSCP" in any case, where (?i) also lets ſ (U+017F) stand
// for the S.
func indexLSCP(s string) int {
	for i := 0; i+4 <= len(s); i++ {
		if s[i]|0x20 != 'l' {
			continue
		}
		j := i + 1
		switch {
		case s[j]|0x20 == 's':
			j++
		case strings.HasPrefix(s[j:], "ſ"):
			j += len("ſ")
		default:
			continue
		}
		if j+2 <= len(s) && s[j]|0x20 == 'c' && s[j+1]|0x20 == 'p' {
			return i
		}
	}
	return -1
}

// containsFoldASCII reports whether b holds lower-case ASCII w in any case.
func containsFoldASCII(b []byte, w string) bool {
	for i := 0; i+len(w) <= len(b); i++ {
		k := 0
		for k < len(w) && b[i+k]|0x20 == w[k] {
			k++
		}
		if k == len(w) {
			return true
		}
	}
	return false
}

// placeholderLen is the longest prompt placeholder looks for, in bytes.
const placeholderLen = len("click or tap here to enter text")

// lowerPrefix is strings.ToLower(s) as far as its first n runes: enough to compare
// with a lower-case ASCII prefix of n bytes, as ToLower maps rune for rune.
func lowerPrefix(s string, n int) string {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return strings.ToLower(s[:i])
}

// relationships are the `<Relationship\s[^>]*>` tags of a part, as FindAll(raw,
// 10000) finds them.
func relationships(raw []byte) [][]byte {
	var out [][]byte
	open := []byte("<Relationship")
	for i := 0; len(out) < 10000; {
		k := bytes.Index(raw[i:], open)
		if k < 0 {
			break
		}
		s := i + k
		j := s + len(open)
		if j >= len(raw) || !isSpaceRE(raw[j]) {
			i = s + 1
			continue
		}
		e := bytes.IndexByte(raw[j:], '>')
		if e < 0 {
			break // no tag after this one can close either
		}
		out = append(out, raw[s:j+e+1])
		i = j + e + 1
	}
	return out
}
