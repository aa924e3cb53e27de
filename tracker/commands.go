package tracker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Commands staff may give by email, one per line at the top of the body, in any case
// (in the spirit of RT's CommandByMail):
//
//	Start scoping
//	Add agency: <name> [<address>]   (an address staff vouch for, for an agency not in the directory)
//	Meeting: 2027-01-05 10:00 [force]     (London time)
//	Cancel meeting
//	Extend: <agency> to <date>
//	Waive: <agency>
//	Notified panel: <date>
//	Notified Ofsted: <date>
//	Aware: <date>
//	Approve
//	Send panel papers                (the papers for the local review panel, in one document, to staff)
//	Send report draft                (the Rapid Review report draft as the case stands now, to staff)
//	Send chronology                  (the combined chronology, to staff and a vouched lead reviewer)
//	Done: STEP [on DATE]             (a step of the Terms of Reference's timetable done: steps.go)
//
// A Rapid Review report (Appendix 5) attached by staff is taken in the same way.
var commandVerbs = map[string]bool{
	"done":          true, // Done: STEP [on DATE] (steps.go)
	"start scoping": true, "scoping": true, "add agency": true, "meeting": true, "cancel meeting": true,
	"extend": true, "waive": true, "notified panel": true, "notified ofsted": true, "aware": true, "approve": true,
	"confirm": true, "send chronology": true, "send report draft": true, "send panel papers": true, "clear address": true,
}

// CommandHelp lists the commands, for replies.
const CommandHelp = `Start scoping | Add agency: NAME [<address>] | Meeting: YYYY-MM-DD HH:MM [force] | Cancel meeting | Extend: AGENCY to YYYY-MM-DD | Waive: AGENCY | Notified panel: YYYY-MM-DD | Notified Ofsted: YYYY-MM-DD | Aware: YYYY-MM-DD | Send report draft | Send chronology | Send panel papers | Clear address: ADDR | Approve [WHAT] | Done: STEP [on YYYY-MM-DD]` + " | " + LCSPRCommandHelp

func splitCommand(line string) (verb, arg string, ok bool) {
	verb, arg, colon := strings.Cut(line, ":")
	verb = strings.ToLower(strings.Join(strings.Fields(verb), " "))
	if !colon && !commandVerbs[verb] && !lcsprVerbs[verb] {
		// "Approve [WHAT]" as the README writes it, without a colon: "Approve reviewer".
		if first, _, _ := strings.Cut(verb, " "); first == "approve" {
			l := strings.TrimSpace(line)
			return first, strings.TrimSpace(l[len(strings.Fields(l)[0]):]), true
		}
	}
	return verb, strings.TrimSpace(arg), commandVerbs[verb] || lcsprVerbs[verb]
}

// approveArg reads what an Approve names as staff write it ("the lead reviewer notice",
// "final report copies", "all") as approveWhat knows it: "" for everything waiting.
func approveArg(arg string) string {
	w := strings.Fields(strings.ToLower(strings.Trim(strings.TrimSpace(arg), ".!")))
	if len(w) > 0 && w[0] == "the" {
		w = w[1:]
	}
	for len(w) > 1 {
		switch w[len(w)-1] {
		case "notice", "notification", "copies", "copy", "please":
			w = w[:len(w)-1]
			continue
		}
		break
	}
	switch s := strings.Join(w, " "); s {
	case "all", "everything":
		return ""
	case "lead reviewer", "reviewer":
		return "reviewer"
	case "national panel submission", "panel submission", "rapid review submission", "rapid review report":
		return "submission"
	default:
		return s
	}
}

// staffCommands reads command lines at the top of a staff member's message about a case,
// and a Rapid Review report attached to it, and carries them out. They are obeyed only
// when the message proves it comes from that staff member: a reply carrying the token of
// an email csprbot sent to that staff member (tt.byToken), or our trusted server's
// Authentication-Results showing DKIM or DMARC pass for the From domain. Otherwise they are refused, with the reason, to the staff address
// (a forged From never reaches anyone else). It reports whether the message held any.
func (t *Tracker) staffCommands(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie) (bool, error) {
	ctx = withIncoming(ctx, in) // a command may take the message's attachment (Final report: lcspr.go)
	staff, isStaff := t.cfg.isStaff(in.From)
	if !isStaff {
		return false, nil
	}
	var cmds []string
	for _, line := range commandLines(in.Text) {
		if _, _, ok := splitCommand(line); !ok {
			if len(cmds) == 0 {
				break // the first line is not a command: an ordinary message
			}
			cmds = append(cmds, line)
			continue
		}
		cmds = append(cmds, line)
	}
	if len(cmds) == 0 && subjectIsDigest(in.Subject) {
		cmds = []string{"Digest"} // "Digest" as the subject, whatever the body says
	}
	form, att := reportForm(in)
	tor := torForm(in)         // the Terms of Reference (lcspr_tor.go)
	plan := actionPlanForm(in) // the action plan (lcspr_action.go)
	if len(cmds) == 0 && form == nil && tor == nil && plan == nil {
		return false, nil
	}
	if tt.caseID == 0 {
		// On no case, only commands about no case (and Confirm) are read.
		if len(cmds) == 0 {
			return false, nil
		}
		for _, l := range cmds {
			if verb, _, ok := splitCommand(l); ok && !caselessVerbs[verb] && verb != "confirm" {
				return false, nil
			}
		}
	}
	actor := normAddr(staff.Email)
	// A token proves only that the sender saw that email: it authenticates a staff
	// member only if the email went to that staff member (not the referrer's
	// acknowledgement, say, answered under a forged From).
	authed, how := tt.addressedTo(staff.Email), "a reply to csprbot's own email to this staff member (token verified)"
	if !authed {
		authed, how = t.authPass(in)
	}
	if in.FromSuspect {
		authed, how = false, "the From header is malformed"
	}
	var results []string
	if !authed {
		// Not a dead end: the staff member is asked to confirm by replying, which carries
		// our token to the staff address, so only the real mailbox can confirm. The
		// administrator's detail (why authentication failed) goes to the log, not the reply.
		t.log.Info("staff message not authenticated; confirmation asked", "case", tt.ref, "why", how)
		if err := audit(ctx, tx, now, tt.caseID, normAddr(in.From), "command_unconfirmed", "not authenticated ("+how+"); confirmation asked. Commands: "+strings.Join(cmds, " | ")); err != nil {
			return true, err
		}
		pins := []approvalPin{}
		for i, l := range cmds {
			verb, arg, _ := splitCommand(l)
			if verb != "approve" || tt.caseID == 0 {
				results = append(results, fmt.Sprintf("%q: waiting for your confirmation", l))
				continue
			}
			// What Approve would approve is fixed now: Confirm approves that, never
			// something prepared after this message was written.
			pin, what, err := t.pinApproval(ctx, tx, tt.caseID, i, approveArg(arg))
			if err != nil {
				return true, err
			}
			pins = append(pins, pin)
			if len(what) == 0 {
				results = append(results, fmt.Sprintf("%q: nothing on %s is waiting for approval now, so Confirm would approve nothing", l, tt.ref))
				continue
			}
			results = append(results, fmt.Sprintf("%q: waiting for your confirmation; Confirm approves exactly what is waiting now, and nothing prepared later: %s", l, strings.Join(what, "; ")))
		}
		pinned, err := json.Marshal(pins)
		if err != nil {
			return true, err
		}
		if form != nil {
			results = append(results, "the attached Rapid Review report: waiting for your confirmation (it is recorded on the case)")
		}
		if tor != nil {
			results = append(results, "the attached Terms of Reference: waiting for your confirmation (they are recorded on the case)")
		}
		if plan != nil {
			results = append(results, "the attached action plan: waiting for your confirmation (it is recorded on the case)")
		}
		on := ""
		if tt.ref != "" {
			on = " on " + tt.ref
		}
		id, err := t.commandReplyID(ctx, tx, now, in, tt, "csprbot has not acted on your message"+on+" yet, because it could not tell that it came from your own mailbox (it is not a reply to an email csprbot sent you). "+
			"This is what it would do. To go ahead, reply to this email with the single line\n\n    Confirm\n\nNothing happens otherwise.", results)
		if err != nil {
			return true, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO pending_commands(case_id, staff, message_id, commands, reply_msgid, created_at, pinned) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			nullID(tt.caseID), actor, in.MessageID, strings.Join(cmds, "\n"), id, ts(now), string(pinned))
		return true, err
	}
	if len(cmds) > 0 {
		if verb, _, _ := splitCommand(cmds[0]); verb == "confirm" {
			return true, t.confirm(ctx, tx, now, in, tt, actor, how, cmds[1:])
		}
	}

	if form != nil {
		results = append(results, t.runCommand(ctx, tx, "Rapid Review report", func() (string, error) {
			return t.recordReport(ctx, tx, now, tt.caseID, in, form, att, actor)
		}))
	}
	if tor != nil {
		results = append(results, t.runCommand(ctx, tx, "Terms of Reference", func() (string, error) {
			return t.torCommand(ctx, tx, now, tt.caseID, tor, actor)
		}))
	}
	if plan != nil {
		results = append(results, t.runCommand(ctx, tx, "Action plan", func() (string, error) {
			return t.planCommand(ctx, tx, now, tt.caseID, plan, actor)
		}))
	}
	for _, line := range cmds {
		verb, arg, ok := splitCommand(line)
		if !ok {
			results = append(results, fmt.Sprintf("%q: not a command csprbot knows; ignored", line))
			continue
		}
		results = append(results, t.runCommand(ctx, tx, line, func() (string, error) {
			return t.command(ctx, tx, now, tt, verb, arg, actor)
		}))
	}
	if err := audit(ctx, tx, now, tt.caseID, actor, "command", "by "+how+": "+strings.Join(results, " | ")); err != nil {
		return true, err
	}
	return true, t.commandReply(ctx, tx, now, in, tt, commandsOn(tt), results)
}

// runCommand runs one command inside a savepoint, so that a command that fails leaves
// nothing half done and the others still run.
func (t *Tracker) runCommand(ctx context.Context, tx *sql.Tx, line string, fn func() (string, error)) string {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT command`); err != nil {
		return fmt.Sprintf("%q failed: %v", line, err)
	}
	out, err := fn()
	if err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO command`); rerr != nil {
			t.log.Error("command rollback", "err", rerr)
		}
		_, _ = tx.ExecContext(ctx, `RELEASE command`)
		if errors.Is(err, ErrRefused) || errors.Is(err, ErrNotFound) {
			// The error's own "refused: " is not said twice ("refused: refused: …").
			why := strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrRefused.Error()+": "), ErrNotFound.Error()+": ")
			return fmt.Sprintf("%q refused: %s", line, why)
		}
		return fmt.Sprintf("%q failed: %v", line, err)
	}
	_, _ = tx.ExecContext(ctx, `RELEASE command`)
	return fmt.Sprintf("%q done: %s", line, out)
}

func (t *Tracker) command(ctx context.Context, tx *sql.Tx, now time.Time, tt tie, verb, arg, actor string) (string, error) {
	if caselessVerbs[verb] {
		return t.caselessCommand(ctx, tx, now, verb, arg, actor)
	}
	if tt.caseID == 0 {
		return "", fmt.Errorf("%w: this command is about a case: reply to an email about the case, or put its reference in the subject", ErrRefused)
	}
	c, err := loadCase(ctx, tx, "id = ?", tt.caseID)
	if err != nil {
		return "", err
	}
	switch verb {
	case "start scoping", "scoping":
		res, err := t.startScoping(ctx, tx, now, tt.ref, nil, actor)
		return scopingDone(res), err
	case "add agency":
		if arg == "" {
			return "", fmt.Errorf("%w: which agency? Add agency: NAME", ErrRefused)
		}
		res, err := t.startScoping(ctx, tx, now, tt.ref, []string{arg}, actor)
		return scopingDone(res), err
	case "meeting":
		force := false
		fs := strings.Fields(arg)
		if len(fs) > 0 && strings.EqualFold(fs[len(fs)-1], "force") {
			force, arg = true, strings.Join(fs[:len(fs)-1], " ")
		}
		at, err := ParseLondonTime(arg, t.cal.Location())
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrRefused, err)
		}
		res, err := t.setMeeting(ctx, tx, now, c, at, force, actor)
		if err != nil {
			return "", err
		}
		return meetingDone(res, t.cal.Location()), nil
	case "cancel meeting":
		res, err := t.cancelMeeting(ctx, tx, now, c, actor)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("meeting cancelled; cancellation sent to %d invitees", len(res.Invited)), nil
	case "extend":
		i := strings.LastIndex(strings.ToLower(arg), " to ")
		if i < 0 {
			return "", fmt.Errorf("%w: write Extend: AGENCY to YYYY-MM-DD", ErrRefused)
		}
		d, err := ParseLondonDate(arg[i+4:], t.cal.Location())
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrRefused, err)
		}
		return t.extend(ctx, tx, now, c, strings.TrimSpace(arg[:i]), d, actor)
	case "waive":
		return t.waive(ctx, tx, now, c, arg, actor)
	case "notified panel", "notified ofsted":
		var d time.Time
		if arg != "" {
			if d, err = ParseLondonDate(arg, t.cal.Location()); err != nil {
				return "", fmt.Errorf("%w: %v", ErrRefused, err)
			}
			d = t.doneOn(d, now)
		}
		return t.notified(ctx, tx, now, c, strings.TrimPrefix(verb, "notified "), d, actor)
	case "aware":
		d, err := ParseLondonDate(arg, t.cal.Location())
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrRefused, err)
		}
		return t.setAware(ctx, tx, now, c, d, actor)
	case "send panel papers":
		return t.sendPanelPack(ctx, tx, now, c, "", time.Time{}, "command", actor)
	case "send report draft":
		return t.sendRRDraftCommand(ctx, tx, now, c, actor)
	case "send chronology":
		return t.sendChronology(ctx, tx, now, c, actor, "")
	case "approve":
		return t.approveWhat(ctx, tx, now, c, approveArg(arg), actor)
	}
	if verb == "done" {
		return t.doneCommand(ctx, tx, now, c, arg, actor) // steps.go
	}
	if lcsprVerbs[verb] {
		return t.lcsprCommand(ctx, tx, now, c, verb, arg, actor) // lcspr.go
	}
	return "", fmt.Errorf("%w: unknown command", ErrRefused)
}

// doneOn is the time a thing done on a given London date counts as done: that day's
// cut-off (17:00), or now if that is earlier (today).
func (t *Tracker) doneOn(day, now time.Time) time.Time {
	at := t.cal.At(day, 17, 0)
	if at.After(now) {
		return now
	}
	return at
}

// DoneOn is doneOn for the command line.
func (t *Tracker) DoneOn(day time.Time) time.Time { return t.doneOn(day, t.Now()) }

func (t *Tracker) commandReply(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, reason string, lines []string) error {
	_, err := t.commandReplyID(ctx, tx, now, in, tt, reason, lines)
	return err
}

// commandReplyID is commandReply, returning the reply's Message-ID.
func (t *Tracker) commandReplyID(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, reason string, lines []string) (string, error) {
	var c CaseView
	if tt.caseID != 0 {
		var err error
		if c, err = t.caseView(ctx, tx, tt.caseID, now); err != nil {
			return "", err
		}
	}
	return t.enqueue(ctx, tx, now, outMsg{caseID: tt.caseID, tmpl: TmplCommandReply, to: []string{in.From},
		inReplyTo: in.MessageID, references: append(append([]string{}, in.References...), in.MessageID),
		data: &MailData{Case: c, Lines: lines, Reason: reason}})
}

// confirm carries out what a staff member's unauthenticated message asked, now that the
// staff member has confirmed it by replying to csprbot's own email (tt proves that).
//
// Commands written under "Confirm" in the same reply are carried out after it.
func (t *Tracker) confirm(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, actor, how string, more []string) error {
	var id int64
	var orig, cmds, pinned string
	err := tx.QueryRowContext(ctx, `SELECT id, message_id, commands, pinned FROM pending_commands WHERE reply_msgid = ? AND staff = ? AND status = 'pending'`,
		tt.ourID, actor).Scan(&id, &orig, &cmds, &pinned)
	if errors.Is(err, sql.ErrNoRows) {
		err, cmds = nil, ""
		if len(more) == 0 {
			return t.commandReply(ctx, tx, now, in, tt, commandsOn(tt), []string{`"Confirm": there is nothing waiting for your confirmation in the email you replied to`})
		}
	}
	if err != nil {
		return err
	}
	var results []string
	if id == 0 {
		results = append(results, `"Confirm": there was nothing waiting for your confirmation in the email you replied to`)
	} else if _, err := tx.ExecContext(ctx, `UPDATE pending_commands SET status = 'done', confirmed_at = ? WHERE id = ?`, ts(now), id); err != nil {
		return err
	}
	if orig == "" {
		// nothing stored to read a report from
	} else if src, _, err := storedIncoming(ctx, tx, orig); err == nil {
		ctx = withIncoming(ctx, src)
		if form, att := reportForm(src); form != nil {
			results = append(results, t.runCommand(ctx, tx, "Rapid Review report", func() (string, error) {
				return t.recordReport(ctx, tx, now, tt.caseID, src, form, att, actor)
			}))
		}
		if tor := torForm(src); tor != nil {
			results = append(results, t.runCommand(ctx, tx, "Terms of Reference", func() (string, error) {
				return t.torCommand(ctx, tx, now, tt.caseID, tor, actor)
			}))
		}
		if plan := actionPlanForm(src); plan != nil {
			results = append(results, t.runCommand(ctx, tx, "Action plan", func() (string, error) {
				return t.planCommand(ctx, tx, now, tt.caseID, plan, actor)
			}))
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	pins := map[int]approvalPin{}
	if pinned != "" {
		var ps []approvalPin
		if err := json.Unmarshal([]byte(pinned), &ps); err != nil {
			return fmt.Errorf("tracker: pending command %d: pinned approvals: %w", id, err)
		}
		for _, p := range ps {
			pins[p.Line] = p
		}
	}
	waiting := strings.Split(cmds, "\n")
	for i, line := range append(waiting, more...) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		verb, arg, ok := splitCommand(line)
		if !ok || verb == "confirm" {
			results = append(results, fmt.Sprintf("%q: not a command csprbot knows; ignored", line))
			continue
		}
		if verb == "approve" && i < len(waiting) && tt.caseID != 0 {
			// The Approve that waited approves what was waiting when it was written.
			pin, ok := pins[i]
			results = append(results, t.runCommand(ctx, tx, line, func() (string, error) {
				if !ok {
					return "", fmt.Errorf("%w: csprbot did not note what was waiting for approval when you wrote this; write Approve again (by reply to an email csprbot sent you)", ErrRefused)
				}
				return t.approvePinned(ctx, tx, now, tt.caseID, pin, actor)
			}))
			continue
		}
		results = append(results, t.runCommand(ctx, tx, line, func() (string, error) {
			return t.command(ctx, tx, now, tt, verb, arg, actor)
		}))
	}
	if err := audit(ctx, tx, now, tt.caseID, actor, "command", "confirmed by "+how+": "+strings.Join(results, " | ")); err != nil {
		return err
	}
	return t.commandReply(ctx, tx, now, in, tt, "Your confirmed "+strings.TrimPrefix(commandsOn(tt), "Your "), results)
}

func commandsOn(tt tie) string {
	if tt.ref == "" {
		return "Your commands"
	}
	return "Your commands on " + tt.ref
}

// caselessVerbs are commands about no case (an address, say): obeyed from staff in any
// email csprbot can authenticate, a reply to any of its emails to them or a new one.
var caselessVerbs = map[string]bool{"clear address": true, "digest": true}

func (t *Tracker) caselessCommand(ctx context.Context, tx *sql.Tx, now time.Time, verb, arg, actor string) (string, error) {
	switch verb {
	case "clear address":
		if arg == "" {
			return "", fmt.Errorf("%w: which address? Clear address: ADDR", ErrRefused)
		}
		return t.ClearAddressCommand(ctx, tx, now, arg, actor)
	case "digest":
		return t.digestNow(ctx, tx, now, actor)
	}
	return "", fmt.Errorf("%w: unknown command", ErrRefused)
}

func scopingDone(res ScopingResult) string {
	if res.After != "" {
		return fmt.Sprintf("added to the case: %s; it may now receive the case's material (the combined chronology, say). No scoping request was sent: the Rapid Review is over (stage %s); ask for a chronology or an agency report with Request chronology: or Request agency report:",
			strings.Join(res.Added, ", "), res.After)
	}
	s := fmt.Sprintf("scoping requests sent to %d agencies", len(res.Requested))
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

func meetingDone(res MeetingResult, loc *time.Location) string {
	if res.Unchanged {
		return "the meeting is already set for " + res.At.In(loc).Format("Mon 2 Jan 2006 15:04") + "; nothing sent"
	}
	s := fmt.Sprintf("meeting set for %s; invitations sent to %d people", res.At.In(loc).Format("Mon 2 Jan 2006 15:04"), len(res.Invited))
	if res.Moved {
		s = fmt.Sprintf("meeting moved to %s; updated invitations sent to %d people", res.At.In(loc).Format("Mon 2 Jan 2006 15:04"), len(res.Invited))
	}
	if res.Forced {
		s += " (outside the rr_meeting window: forced)"
	}
	if len(res.NoQuorum) > 0 {
		s += "; WARNING: not quorate as invited, no one from " + strings.Join(partnerWords(res.NoQuorum), ", ")
	}
	if res.PapersSent {
		s += "; papers sent"
	}
	return s
}

func approvalDone(res ApprovalResult) string {
	s := "submission to the National Panel approved and queued"
	if res.Held != "" {
		s = "submission to the National Panel approved but held, not sent: " + res.Held + "; rr_submission is met only when it goes"
	} else if res.SubmissionLate != "" {
		s += " (rr_submission missed: " + res.SubmissionLate + ")"
	}
	s += fmt.Sprintf("; outcome sent to %d agencies and the referrer; stage %s", len(res.Notified), res.Stage)
	return s
}

// ParseLondonTime reads a date and time as staff write it, in London time:
// "2027-01-05 10:00", "2027-01-05T10:00", "05/01/2027 10:00", "5 Jan 2027 10:00", or
// RFC 3339.
func ParseLondonTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15.04", "02/01/2006 15:04", "2/1/2006 15:04",
		"2 Jan 2006 15:04", "2 January 2006 15:04", "Mon 2 Jan 2006 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time like 2027-01-05 10:00", s)
}

// ParseLondonDate reads a date as staff write it ("2027-01-05", "05/01/2027",
// "5 Jan 2027"): 00:00 London on that date.
func ParseLondonDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006", "2 Jan 2006", "2 January 2006", "Mon 2 Jan 2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date like 2027-01-05", s)
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

// digestNow sends the staff member who asked (actor, a staff address) the digest as it
// stands now: the same data and template as the weekly digest, to that address only, in
// reply to the message that asked. It does not count as the week's digest, which still
// goes to the subgroup at its hour.
func (t *Tracker) digestNow(ctx context.Context, tx *sql.Tx, now time.Time, actor string) (string, error) {
	if _, ok := t.cfg.isStaff(actor); !ok {
		return "", fmt.Errorf("%w: the digest goes only to staff", ErrRefused)
	}
	d, err := t.Digest(ctx, now)
	if err != nil {
		return "", err
	}
	m := outMsg{tmpl: TmplDigest, to: []string{actor}, data: d}
	if in := incomingFrom(ctx); in != nil && in.MessageID != "" {
		m.inReplyTo, m.references = in.MessageID, append(append([]string{}, in.References...), in.MessageID)
	}
	if _, err := t.enqueue(ctx, tx, now, m); err != nil {
		return "", err
	}
	return fmt.Sprintf("the digest as it stands now (%d open cases) is on its way to you", len(d.Digest.Cases)), nil
}

// subjectIsDigest reports whether a subject, past any Re:/Fwd: and [REF] tags, is the one
// word Digest.
func subjectIsDigest(subject string) bool {
	s := strings.TrimSpace(subject)
	for {
		l := strings.ToLower(s)
		switch {
		case strings.HasPrefix(l, "re:"), strings.HasPrefix(l, "fw:"):
			s = strings.TrimSpace(s[3:])
		case strings.HasPrefix(l, "fwd:"):
			s = strings.TrimSpace(s[4:])
		case strings.HasPrefix(s, "["):
			i := strings.Index(s, "]")
			if i < 0 {
				return false
			}
			s = strings.TrimSpace(s[i+1:])
		default:
			return strings.EqualFold(strings.TrimRight(s, ".!"), "digest")
		}
	}
}

// approvalPin is what an Approve that waits for confirmation would approve, as it stood
// when the staff member wrote it: the submission and the national notices then waiting.
type approvalPin struct {
	Line       int              `json:"line"` // the command's line in pending_commands.commands
	Submission int64            `json:"submission,omitempty"`
	Notices    map[string]int64 `json:"notices,omitempty"` // what -> national_notices.id
}

// pinApproval is what "Approve WHAT" (what as approveArg reads it) would approve on the
// case now, as a pin and in words.
func (t *Tracker) pinApproval(ctx context.Context, tx *sql.Tx, caseID int64, line int, what string) (approvalPin, []string, error) {
	pin := approvalPin{Line: line}
	var words []string
	loc := t.cal.Location()
	if what == "" || what == "submission" || what == "rapid review" || what == "rr_submission" {
		var created string
		err := tx.QueryRowContext(ctx, `SELECT id, created_at FROM submissions WHERE case_id = ? AND status = 'awaiting_approval' ORDER BY id DESC LIMIT 1`, caseID).Scan(&pin.Submission, &created)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return pin, nil, err
		}
		if err == nil {
			words = append(words, "the submission to the National Panel prepared "+parseTS(sql.NullString{String: created, Valid: true}).In(loc).Format("Mon 2 Jan 2006 15:04"))
		}
	}
	if what == "submission" {
		return pin, words, nil
	}
	q, args := `SELECT n.id, n.what, n.created_at, coalesce(o.recipients, '') FROM national_notices n LEFT JOIN outbox o ON o.message_id = n.outbox_msgid
		WHERE n.case_id = ? AND n.status = 'awaiting_approval'`, []any{caseID}
	if what != "" {
		q, args = q+` AND n.what = ?`, append(args, noticeWhat(what))
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY n.id`, args...)
	if err != nil {
		return pin, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var w, created, rcpt string
		if err := rows.Scan(&id, &w, &created, &rcpt); err != nil {
			return pin, nil, err
		}
		if pin.Notices == nil {
			pin.Notices = map[string]int64{}
		}
		pin.Notices[w] = id
		words = append(words, fmt.Sprintf("the %s to %s prepared %s", strings.ReplaceAll(w, "_", " "), rcpt,
			parseTS(sql.NullString{String: created, Valid: true}).In(loc).Format("Mon 2 Jan 2006 15:04")))
	}
	return pin, words, rows.Err()
}

// approvePinned approves what pin names that is still waiting, the same rows and nothing
// prepared since (a later report or notice replaces the one pinned: it is not approved
// by this confirmation, and the answer says so).
func (t *Tracker) approvePinned(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, pin approvalPin, actor string) (string, error) {
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return "", err
	}
	var out, gone []string
	if pin.Submission != 0 {
		var cur int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM submissions WHERE case_id = ? AND status = 'awaiting_approval' ORDER BY id DESC LIMIT 1`, caseID).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		if cur != pin.Submission {
			gone = append(gone, "the submission to the National Panel (approved since, or replaced by a later report)")
		} else {
			done, err := t.approveWhat(ctx, tx, now, c, "submission", actor)
			if err != nil {
				return "", err
			}
			out = append(out, done)
			if c, err = loadCase(ctx, tx, "id = ?", caseID); err != nil {
				return "", err
			}
		}
	}
	whats := make([]string, 0, len(pin.Notices))
	for w := range pin.Notices {
		whats = append(whats, w)
	}
	sort.Slice(whats, func(i, j int) bool { return pin.Notices[whats[i]] < pin.Notices[whats[j]] })
	for _, w := range whats {
		var cur int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM national_notices WHERE case_id = ? AND what = ? AND status = 'awaiting_approval' ORDER BY id DESC LIMIT 1`, caseID, w).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		if cur != pin.Notices[w] {
			gone = append(gone, "the "+strings.ReplaceAll(w, "_", " ")+" (approved since, or replaced by a later one)")
			continue
		}
		done, err := t.approveWhat(ctx, tx, now, c, w, actor)
		if err != nil {
			return "", err
		}
		out = append(out, done)
	}
	// What waits now that was not waiting when the message was written is left waiting.
	var later []string
	if pin.Submission == 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ? AND status = 'awaiting_approval'`, caseID).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			later = append(later, "the submission to the National Panel")
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT what FROM national_notices WHERE case_id = ? AND status = 'awaiting_approval' GROUP BY what ORDER BY min(id)`, caseID)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			rows.Close()
			return "", err
		}
		later = append(later, "the "+strings.ReplaceAll(w, "_", " "))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	s := strings.Join(out, "; ")
	if len(gone) > 0 {
		s = strings.TrimPrefix(s+"; not approved, no longer waiting as it was when you wrote: "+strings.Join(gone, ", "), "; ")
	}
	if len(later) > 0 {
		s = strings.TrimPrefix(s+"; still waiting, not approved by this confirmation (prepared after your message, or not named in it): "+strings.Join(later, ", ")+": approve it with its own Approve", "; ")
	}
	if len(out) == 0 {
		return "", fmt.Errorf("%w: nothing that was waiting for approval on %s when you wrote was approved; %s", ErrRefused, c.ref, s)
	}
	return s, nil
}
