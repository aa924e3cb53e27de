package templates

import (
	htmltemplate "html/template"
	"strconv"
	"strings"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// A case's journey is its deadlines in due order, each done, to come, late or waived: in
// the digest's HTML a bar of coloured cells, in its text a list of marked steps. Each is
// written here in one call per case: as template actions every cell of the bar cost some
// seventy allocations, and with a thousand open cases the bar was most of the digest's
// rendering.

// journeyCells is the cells of the HTML bar, one per deadline: green done, red late, pale
// waived, grey to come, each titled "Label: status, Friday 11 December 2026". The title is
// escaped as html/template escapes an attribute value.
func journeyCells(ds []cspr.DeadlineView) htmltemplate.HTML {
	var b strings.Builder
	b.Grow(len(ds) * 220)
	for _, d := range ds {
		colour := journeyColour(d.Status)
		b.WriteString(`<td width="16" height="12" bgcolor="`)
		b.WriteString(colour)
		b.WriteString(`" style="width:16px;height:12px;font-size:1px;line-height:1px;background-color:`)
		b.WriteString(colour)
		b.WriteString(`;" title="`)
		writeAttr(&b, d.Label)
		b.WriteString(": ")
		writeAttr(&b, d.Status)
		b.WriteString(", ")
		writeAttr(&b, Date(d.Due))
		b.WriteString(`">&nbsp;</td>`)
	}
	return htmltemplate.HTML(b.String())
}

func journeyColour(status string) string {
	switch status {
	case "met":
		return "#00703c"
	case "missed":
		return "#d4351c"
	case "waived":
		return "#f3f2f1"
	}
	return "#b1b4b6"
}

// writeAttr writes s as html/template writes a string into a quoted attribute value: NUL,
// quotes, &, +, < and > replaced, everything else as it is.
func writeAttr(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(r)
		start = i + 1
	}
	b.WriteString(s[start:])
}

// journeyIndent is where the text digest's field values start ("  Next deadline: "): the
// journey's steps after the first go under it.
const journeyIndent = "                 "

// journeyText is the journey as plain text for the digest's text part, a step a line,
// with ASCII marks that read the same in any mail reader: "[x]" done, "[>]" the next
// deadline to come, "[ ]" one further ahead, "[LATE]" passed undone, "[-]" waived. Every
// line after the first starts with spaces, so Outlook does not join it to the one before.
func journeyText(ds []cspr.DeadlineView) string {
	var b strings.Builder
	next := true
	for i, d := range ds {
		mark := "[ ]"
		switch d.Status {
		case "met":
			mark = "[x]"
		case "missed":
			mark = "[LATE]"
		case "waived":
			mark = "[-]"
		case "pending":
			if next {
				mark, next = "[>]", false
			}
		default:
			mark = "[" + d.Status + "]"
		}
		if i > 0 {
			b.WriteString("\n" + journeyIndent)
		}
		b.WriteString(mark + " " + d.Label)
	}
	return b.String()
}

// returnState is where an agency's return stands, as the digest words it in text and HTML:
// "Received – 14:30 on Wednesday 9 December 2026", "Overdue, due 17:00 on Friday 11
// December 2026, 2 chasers sent". One call a return, where the words cost eight template
// actions.
func returnState(r cspr.ReturnView) string {
	s := status(r.Status)
	if !r.ReceivedAt.IsZero() {
		s += " – " + DateTime(r.ReceivedAt)
	} else {
		s += ", due " + DateTime(r.Due)
	}
	if r.ChasersSent != 0 {
		s += ", " + strconv.Itoa(r.ChasersSent) + " " + plural(r.ChasersSent, "chaser", "chasers") + " sent"
	}
	return s
}
