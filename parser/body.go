package parser

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseBody reads the text of an email that carries no form: a nil return ("this
// child is not known to our service") gives kind scoping_return with child_known
// and family_known "no"; a form pasted into the body ("Label: value" lines) is read
// like a document; anything else is kind unknown. Quoted earlier messages are
// ignored. html is used when text is empty.
func ParseBody(text, html string) *Form { return parseBody(text, html, false) }

// parseBody is ParseBody; readAll walks every reading (doc.readAll).
func parseBody(text, html string, readAll bool) (f *Form) {
	defer func() {
		// A bug must cost one body, never the daemon: the body is then unread.
		if r := recover(); r != nil {
			f = &Form{Kind: KindUnknown, Fields: map[string]string{}, Tables: map[string][]map[string]string{},
				Warnings: []string{fmt.Sprintf("internal error reading the body (%v)", r)}}
		}
	}()
	bud := newBudget(Limits{})
	lim := bud.lim
	d := &doc{norms: map[string]string{}, body: true, readAll: readAll}
	if strings.TrimSpace(text) == "" && html != "" {
		bs, err := readHTML(html, bud)
		if err == nil {
			d.blocks = bs
		} else {
			d.notes = append(d.notes, "the HTML body was not read: "+err.Error())
		}
	} else {
		// A body is read as far as the caps go: the first lines are the ones a
		// person wrote, and no error can be returned here.
		if len(text) > lim.MaxText {
			text = text[:lim.MaxText]
			d.notes = append(d.notes, "the body was read only up to its first "+strconv.Itoa(lim.MaxText)+" characters")
		}
		lines := strings.SplitN(strings.ReplaceAll(text, "\r\n", "\n"), "\n", lim.MaxBlocks+1)
		if len(lines) > lim.MaxBlocks {
			lines = lines[:lim.MaxBlocks]
			d.notes = append(d.notes, "the body was read only up to its first "+strconv.Itoa(lim.MaxBlocks)+" lines")
		}
		d.blocks = linesToBlocks(lines)
	}
	d.blocks, d.extra = splitQuoted(d.blocks)
	return d.extract()
}

var (
	reWrote    = lazyRegexp(`(?i)^\s*on\b.{0,200}\bwrote:?\s*$`)
	reOrigMsg  = lazyRegexp(`(?i)^\s*-{2,}\s*(original message|forwarded message)\s*-{2,}`)
	reFromHdr  = lazyRegexp(`(?i)^\s*\*?from:\*?\s`)
	reSentHdr  = lazyRegexp(`(?i)^\s*\*?(sent|date|to|subject):\*?\s`)
	reUnderBar = lazyRegexp(`^\s*_{10,}\s*$`)
	reAnyHdr   = lazyRegexp(`(?i)^\s*\*?(from|sent|date|to|cc|bcc|subject|importance|reply-to):\*?\s`)
)

// ownHeaders is the number of lines of the header block a saved or forwarded
// message starts with (From:, Sent:, To:, Subject: …, up to a blank line): the
// message's own headers, not an earlier message quoted below. 0 when there is none.
func ownHeaders(lines []string) int {
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	n := 0
	for i < len(lines) && reAnyHdr().MatchString(lines[i]) {
		i++
		n++
	}
	if n < 2 {
		return 0
	}
	return i
}

// splitQuoted drops quoted lines ("> ") and everything from the first
// "On … wrote:" or Outlook "From: … Sent:" header block of an earlier message,
// and returns what it dropped from there on: the quoted request a reply answers
// still says which case it is about.
func splitQuoted(bs []block) ([]block, string) {
	var lines []string
	for _, b := range bs {
		if b.table != nil {
			lines = append(lines, "\x00table")
			continue
		}
		lines = append(lines, strings.Split(b.text, "\n")...)
	}
	cut := len(lines)
	own := ownHeaders(lines)
	for i, l := range lines {
		if i < own {
			continue
		}
		if reWrote().MatchString(l) || reOrigMsg().MatchString(l) {
			cut = i
			break
		}
		// "On Mon, 3 Mar 2026 at 10:00, Someone <x@y>" wrapped onto a second line ending "wrote:"
		if i+1 < len(lines) && strings.HasPrefix(strings.ToLower(strings.TrimSpace(l)), "on ") && strings.HasSuffix(strings.TrimSpace(lines[i+1]), "wrote:") && len(l) < 200 {
			cut = i
			break
		}
		if reFromHdr().MatchString(l) {
			for k := i + 1; k < len(lines) && k <= i+4; k++ {
				if reSentHdr().MatchString(lines[k]) {
					cut = i
					break
				}
			}
			if cut == i {
				break
			}
		}
		if reUnderBar().MatchString(l) && i+1 < len(lines) && reFromHdr().MatchString(lines[i+1]) {
			cut = i
			break
		}
	}
	var out []block
	ti := 0
	tables := []*table{}
	for _, b := range bs {
		if b.table != nil {
			tables = append(tables, b.table)
		}
	}
	var dropped strings.Builder
	for _, l := range lines[cut:] {
		if l != "\x00table" && dropped.Len() < 64<<10 {
			dropped.WriteString(l)
			dropped.WriteByte('\n')
		}
	}
	for _, l := range lines[:cut] {
		if l == "\x00table" {
			out = append(out, block{table: tables[ti]})
			ti++
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			continue
		}
		out = append(out, block{text: l})
	}
	return out, dropped.String()
}

// Nil returns: wordings that say the agency does not know the child or family,
// and wordings that say it does (which rule a nil return out).
var (
	reNotKnown = lazyRegexp(`(?i)\b(` +
		`(is|are|was|were|be|been|being)\s+(not|n't|neither)\s+(currently\s+|previously\s+|ever\s+been\s+)?known\s+to` +
		`|(isn't|aren't|wasn't|weren't|not)\s+known\s+to` +
		`|not\s+known\s+(by|on|within|in)\b` +
		`|unknown\s+to\s+(us|our|this|the)` +
		`|(has|have)\s+(never|not)\s+been\s+known` +
		`|no\s+trace` +
		`|no\s+(records?|information|details|history|contact|involvement|knowledge|match(es)?|matching\s+records?)\s+(held|found|of|on|with|for|in|exist|recorded|located)` +
		`|no\s+records?\b` +
		`|(have|has|had)\s+(had\s+)?no\s+(previous\s+|prior\s+|past\s+|recorded\s+)?(involvement|contact|dealings|records?|knowledge|open\s+case)` +
		`|(hold|holds|held|have|has|found)\s+no\s+(records?|information|trace|details|data)` +
		`|(nothing|no\s*one|none\s+of\s+the\s+family)\s+(is\s+)?(known|found|held|recorded|on\s+(our|the)\s+(system|records))` +
		`|(not|never)\s+(been\s+)?(open|known|registered|recorded)\s+(to|with|on|by)\b` +
		`|(could|can|did)\s*(not|n't)\s+(find|locate|trace|identify)` +
		`|unable\s+to\s+(find|locate|trace|identify)` +
		`|nil\s+return` +
		`|(have|has|had)\s*(not|n't)\s+had\s+(any\s+)?(involvement|contact|dealings)` +
		`|(do|does|did)\s*(not|n't)\s+(hold|have)\s+(any\s+)?(records?|information|involvement|contact|details)` +
		`|no\s+(records?|information|details)\s+to\s+share` +
		`|^\s*not\s+known\b` +
		`|(nobody|no\s*one|none)\b[^.]{0,40}\b(is|are|was|were)\s+known\s+to` +
		`|no\s+(known\s+)?involvement` +
		`|neither\s+the\s+child\s+nor` +
		`|are\s+not\s+on\s+our\s+(system|records|database)` +
		`|not\s+on\s+our\s+(system|systems|records|database|caseload)` +
		`)`)
	reKnown = lazyRegexp(`(?i)\b(` +
		`(is|are|was|were|been|be)\s+(well\s+|also\s+|previously\s+|currently\s+)?known\s+to` +
		`|we\s+(have|had|did)\s+(had\s+)?(some\s+|previous\s+|limited\s+|significant\s+|brief\s+|recent\s+)?(involvement|contact|dealings)` +
		`|(our|the)\s+records\s+(show|indicate|confirm|suggest)` +
		`|records\s+(show|indicate)` +
		`|(was|were|has\s+been|have\s+been)\s+(seen|treated|supported|visited|referred|assessed|open)` +
		`|(is|are)\s+(open|allocated)\s+to` +
		`|will\s+(complete|send|return)\s+(the|a)\s+(scoping\s+)?form` +
		`|please\s+find\s+attached` +
		`|attached\s+(is|are)\s+(the|our)` +
		`|we\s+hold\s+(records|information)` +
		`|(records|information)\s+(is|are)\s+held` +
		`)`)
	reNegIn = lazyRegexp(`(?i)(\b(no|not|never|neither|nor|none|nobody|no\s*one)\b|n't\b)`)
	// Words that take a "not known" back: it is provisional (checks still going on, an
	// answer to follow), or the same reply tells of involvement. Filing such a reply as
	// a nil return would stop the chasing for an agency that does know the child.
	reNotNil = lazyRegexp(`(?i)\b(` +
		`at\s+this\s+(stage|point|time)|so\s+far|as\s+far\s+as\s+(i|we)\s+(can\s+see|know|are\s+aware)|initial(ly)?\s+checks?` +
		`|still\s+(checking|being\s+checked|looking|searching|waiting|awaiting)|(further|more)\s+checks|checks\s+(are\s+)?(ongoing|continuing|pending)` +
		`|will\s+(confirm|update|let\s+you\s+know|come\s+back|revert|check)|to\s+follow|yet\s+to|provisional(ly)?|pending|not\s+yet|cannot\s+(yet\s+)?confirm` +
		`|not\s+unknown|since\s+(19|20)\d\d|reported\s+missing|(was|were|has\s+been|have\s+been)\s+(seen|admitted|arrested|reported|excluded|charged|cautioned)` +
		`|(two|three|several|many|\d+)\s+(referrals?|incidents?|times|contacts?|attendances?|occasions?)|twice` +
		`|last\s+(week|month|year)|previous(ly)?\s+(open|known|involved|referred)` +
		`)`)
)

// isNilReturn reports whether text says the child and family are not known, and
// nothing says anyone is.
func isNilReturn(text string) bool {
	if !reNotKnown().MatchString(text) || reNotNil().MatchString(text) {
		return false
	}
	for _, m := range reKnown().FindAllStringIndex(text, -1) {
		// the sentence so far: "Neither the child nor … are known to" is a nil return
		start := strings.LastIndexAny(text[:m[0]], ".!?\n") + 1
		if reNegIn().MatchString(text[start:m[0]]) {
			continue
		}
		return false
	}
	l := strings.ToLower(text)
	for _, w := range []string{"but our records", "however", " but the ", " but we ", "except", "although", "apart from"} {
		if strings.Contains(l, w) {
			return false
		}
	}
	return true
}

// isSignOff reports whether a line ends a letter and starts its signature
// ("Kind regards,"). A map, not a regular expression: it is asked of every line.
func isSignOff(t string) bool {
	t = strings.TrimSpace(t)
	if len(t) > 24 || len(t) < 6 || !strings.ContainsRune("kKbBwWmMrRtTyYcC", rune(t[0])) {
		return false
	}
	t = strings.ToLower(strings.TrimRight(strings.TrimSpace(t), ",.! "))
	return signOffs[strings.Join(strings.Fields(t), " ")]
}

var signOffs = map[string]bool{
	"regards": true, "kind regards": true, "best regards": true, "warm regards": true, "warmest regards": true,
	"many regards": true, "thanks": true, "many thanks": true, "best wishes": true, "kind wishes": true,
	"warm wishes": true, "with best wishes": true, "yours sincerely": true, "yours faithfully": true,
	"yours truly": true, "thank you": true, "cheers": true,
}

// signature is the block under the last sign-off of an email body: the sender's
// name, then role and agency, then telephone and email, as people sign. It
// stops at a blank line after it began, at a "Label: value" line, or after six lines.
func signature(bs []block) (name, agency string, contact []string) {
	var lines []string
	for _, b := range bs {
		if b.table == nil {
			lines = append(lines, strings.Split(b.text, "\n")...)
		}
	}
	start := -1
	for i, l := range lines {
		if isSignOff(l) {
			start = i + 1
		}
	}
	if start < 0 {
		return "", "", nil
	}
	var sig []string
	for _, l := range lines[start:] {
		t := strings.TrimSpace(l)
		if t == "" {
			if len(sig) > 0 {
				break
			}
			continue
		}
		if len(sig) >= 6 || (strings.Contains(t, ": ") && findEmail(t) == "" && !rePhone().MatchString(t)) {
			break
		}
		sig = append(sig, t)
	}
	if len(sig) < 2 {
		return "", "", nil
	}
	name = sig[0]
	if findEmail(name) != "" || rePhone().MatchString(name) || wordCount(name) > 6 {
		return "", "", nil
	}
	var role []string
	for _, l := range sig[1:] {
		if findEmail(l) != "" || rePhone().MatchString(l) {
			contact = append(contact, l)
		} else if len(contact) == 0 {
			role = append(role, l)
		}
	}
	return name, strings.Join(role, ", "), contact
}

var rePhone = lazyRegexp(`^(?i:(tel|telephone|phone|mobile|mob|t|m)\.?:?\s*)?\+?[\d ()-]{9,}$`)
