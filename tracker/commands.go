package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// staffCommands reads command lines at the top of a staff member's reply (one already
// proven by our token) and carries them out. It reports whether the message held any.
func (t *Tracker) staffCommands(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie) (bool, error) {
	staff, _ := t.cfg.isStaff(in.From)
	var results []string
	any := false
	for _, line := range commandLines(in.Text) {
		verb, arg, _ := strings.Cut(line, ":")
		verb = strings.ToLower(strings.TrimSpace(verb))
		arg = strings.TrimSpace(arg)
		switch verb {
		case "start scoping", "scoping":
			any = true
			res, err := t.startScoping(ctx, tx, now, tt.ref, nil, staff.Email)
			results = append(results, scopingLine(line, res, err))
		case "add agency":
			any = true
			res, err := t.startScoping(ctx, tx, now, tt.ref, []string{arg}, staff.Email)
			results = append(results, scopingLine(line, res, err))
		default:
			if !any {
				// The first line is not a command: an ordinary message.
				return false, nil
			}
			results = append(results, fmt.Sprintf("%q: not a command csprbot knows; ignored", line))
		}
	}
	if !any {
		return false, nil
	}
	if err := audit(ctx, tx, now, tt.caseID, staff.Email, "command", strings.Join(results, " | ")); err != nil {
		return true, err
	}
	c, err := t.caseView(ctx, tx, tt.caseID, now)
	if err != nil {
		return true, err
	}
	_, err = t.enqueue(ctx, tx, now, outMsg{caseID: tt.caseID, tmpl: TmplCommandReply, to: []string{in.From},
		inReplyTo: in.MessageID, references: append(in.References, in.MessageID),
		data: &MailData{Case: c, Lines: results, Reason: "Your commands on " + tt.ref}})
	return true, err
}

func scopingLine(line string, res ScopingResult, err error) string {
	if err != nil {
		return fmt.Sprintf("%q refused: %v", line, err)
	}
	s := fmt.Sprintf("%q done: scoping requests sent to %d agencies", line, len(res.Requested))
	if len(res.Requested) > 0 {
		s += " (" + strings.Join(res.Requested, ", ") + ")"
	}
	if len(res.Already) > 0 {
		s += "; already asked: " + strings.Join(res.Already, ", ")
	}
	if len(res.Unknown) > 0 {
		s += "; not in the directory, send by hand: " + strings.Join(res.Unknown, ", ")
	}
	return s
}

// commandLines returns the lines at the top of a body, up to the first blank line after
// some text, a quote, or a signature marker.
func commandLines(body string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			if len(out) > 0 {
				break
			}
			continue
		}
		if strings.HasPrefix(l, ">") || l == "--" || strings.HasPrefix(l, "On ") && strings.HasSuffix(l, "wrote:") || strings.HasPrefix(l, "From:") {
			break
		}
		out = append(out, l)
		if len(out) >= 20 {
			break
		}
	}
	return out
}
