package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LearningResult says what SetLearningEvent did.
type LearningResult struct {
	Ref     string
	At      time.Time
	Venue   string
	Invited []string
	Moved   bool
	Unknown []string // agencies with no address csprbot may use
}

// SetLearningEvent sets (or moves) the practitioner learning event and invites the leads
// of the agencies the Terms of Reference name (or else every agency on the case), and
// staff, each with an iCalendar request and the Appendix 11 briefing. Their answers
// (calendar replies, or "I would like to attend") are recorded per person; a reminder
// goes a week before.
func (t *Tracker) SetLearningEvent(ctx context.Context, ref string, at time.Time, venue, actor string) (LearningResult, error) {
	return onCase(ctx, t, ref, "learning event", func(tx *sql.Tx, now time.Time, c caseRow) (LearningResult, error) {
		return t.setLearningEvent(ctx, tx, now, c, at, venue, actor)
	})
}

func (t *Tracker) setLearningEvent(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, at time.Time, venue, actor string) (LearningResult, error) {
	res := LearningResult{Ref: c.ref, At: at, Venue: strings.TrimSpace(venue)}
	if err := lcsprOpen(c); err != nil {
		return res, err
	}
	if !at.After(now) {
		return res, fmt.Errorf("%w: %s is not in the future", ErrRefused, at.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"))
	}
	agencies, err := t.torAgencies(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	if len(agencies) == 0 {
		rows, err := tx.QueryContext(ctx, `SELECT name FROM case_agencies WHERE case_id = ? ORDER BY id`, c.id)
		if err != nil {
			return res, err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return res, err
			}
			agencies = append(agencies, n)
		}
		rows.Close()
	}
	type inv struct{ addr, agency string }
	var invs []inv
	seen := map[string]bool{}
	for _, a := range agencies {
		name, email := t.agencyAddress(ctx, tx, c.id, a)
		if email == "" {
			res.Unknown = append(res.Unknown, name)
			continue
		}
		if e := normAddr(email); !seen[e] {
			seen[e] = true
			invs = append(invs, inv{e, name})
		}
	}
	for _, s := range t.staffAddrs() {
		if e := normAddr(s); !seen[e] {
			seen[e] = true
			invs = append(invs, inv{e, ""})
		}
	}
	var seq int
	var old sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT sequence, at FROM learning_events WHERE case_id = ?`, c.id).Scan(&seq, &old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		uid := fmt.Sprintf("learning-event-%s@%s", strings.ToLower(c.ref), t.cfg.MessageIDDomain)
		var addrs []string
		for _, i := range invs {
			addrs = append(addrs, i.addr)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO learning_events(case_id, uid, at, venue, invitees, set_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.id, uid, ts(at), res.Venue, strings.Join(addrs, ","), actor, ts(now)); err != nil {
			return res, err
		}
	case err != nil:
		return res, err
	default:
		res.Moved = true
		seq++
		var addrs []string
		for _, i := range invs {
			addrs = append(addrs, i.addr)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE learning_events SET sequence = ?, at = ?, venue = ?, invitees = ?, status = 'set', reminded_at = NULL, set_by = ?, updated_at = ? WHERE case_id = ?`,
			seq, ts(at), res.Venue, strings.Join(addrs, ","), actor, ts(now), c.id); err != nil {
			return res, err
		}
	}
	var uid string
	var minutes int
	if err := tx.QueryRowContext(ctx, `SELECT uid, minutes FROM learning_events WHERE case_id = ?`, c.id).Scan(&uid, &minutes); err != nil {
		return res, err
	}
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return res, err
	}
	ev := &EventView{UID: uid, Sequence: seq, Method: "REQUEST", Start: at, End: at.Add(time.Duration(minutes) * time.Minute),
		Summary: "Practitioner learning event " + c.ref + initialsSuffix(c.initials), Location: res.Venue, Organizer: organizer(t.cfg), Stamp: now}
	for _, i := range invs {
		ev.Attendees = append(ev.Attendees, i.addr)
	}
	panel, _ := t.torPanel(ctx, tx, c.id)
	for _, i := range invs {
		d := &MailData{Case: view, Due: at, RR: &RRView{Meeting: ev.Start, MeetingEnd: ev.End, Location: res.Venue, Event: ev},
			LCSPR: &LCSPRView{Venue: res.Venue, Panel: panel}, Reason: map[bool]string{true: "moved"}[res.Moved]}
		if i.agency != "" {
			d.Agency = t.agencyView(ctx, tx, c.id, i.agency)
		}
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, agency: i.agency, tmpl: TmplLearningInvite, to: []string{i.addr}, data: d}); err != nil {
			return res, err
		}
		res.Invited = append(res.Invited, i.addr)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO deadlines(case_id, rule, agency, due_at, note) VALUES (?, 'learning_event', '', ?, 'the event itself')
		ON CONFLICT(case_id, rule, agency) DO UPDATE SET due_at = excluded.due_at WHERE deadlines.status = 'pending'`, c.id, ts(ev.End)); err != nil {
		return res, err
	}
	return res, audit(ctx, tx, now, c.id, actor, "learning_event", fmt.Sprintf("learning event set for %s by %s; %d invited", t.londonDay(at), actor, len(res.Invited)))
}

// torPanel is the panel the Terms of Reference name, one line each.
func (t *Tracker) torPanel(ctx context.Context, tx *sql.Tx, caseID int64) ([]string, error) {
	f, err := t.torFormOf(ctx, tx, caseID)
	if err != nil || f == nil {
		return nil, err
	}
	return t.readToR(f).Panel, nil
}

// LearningDone is a learning event as one line.
func LearningDone(res LearningResult, loc *time.Location) string {
	s := fmt.Sprintf("learning event set for %s", res.At.In(loc).Format("15:04 Mon 2 Jan 2006"))
	if res.Moved {
		s = fmt.Sprintf("learning event moved to %s", res.At.In(loc).Format("15:04 Mon 2 Jan 2006"))
	}
	if res.Venue != "" {
		s += " at " + res.Venue
	}
	s += fmt.Sprintf("; invitations sent to %d people", len(res.Invited))
	if len(res.Unknown) > 0 {
		s += "; no address csprbot may use, invite by hand: " + strings.Join(res.Unknown, ", ")
	}
	return s
}

// learningReply records an answer to the learning event's calendar request. It reports
// false when the reply is about no learning event (a Rapid Review meeting's, say).
func (t *Tracker) learningReply(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, r *CalendarReply, tt tie, res *IngestResult) (bool, error) {
	var caseID int64
	var seq int
	var invited string
	var err error
	if r.UID != "" {
		err = tx.QueryRowContext(ctx, `SELECT case_id, sequence, invitees FROM learning_events WHERE uid = ?`, r.UID).Scan(&caseID, &seq, &invited)
	} else if tt.kind == TmplLearningInvite && tt.caseID != 0 {
		err = tx.QueryRowContext(ctx, `SELECT case_id, sequence, invitees FROM learning_events WHERE case_id = ?`, tt.caseID).Scan(&caseID, &seq, &invited)
	} else {
		return false, nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	res.Disposition = DispCalendarReply
	from := normAddr(in.From)
	if normAddr(r.Attendee) != from || !listHas(invited, from) {
		return true, audit(ctx, tx, now, caseID, from, "learning_reply_ignored", fmt.Sprintf("a learning event response (%s) from %s that is not an invitee's own; not counted", r.PartStat, from))
	}
	s := r.Sequence
	if s < 0 {
		s = seq
	}
	if s < seq {
		return true, audit(ctx, tx, now, caseID, from, "learning_reply_stale", from+" answered an earlier version of the learning event; not counted")
	}
	return true, t.recordLearningAnswer(ctx, tx, now, caseID, from, strings.ToUpper(r.PartStat), s, in.ReceivedAt)
}

func (t *Tracker) recordLearningAnswer(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, who, answer string, seq int, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO learning_replies(case_id, attendee, answer, sequence, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(case_id, attendee) DO UPDATE SET answer = excluded.answer, sequence = excluded.sequence, at = excluded.at
		WHERE excluded.sequence >= learning_replies.sequence`, caseID, who, answer, seq, ts(at)); err != nil {
		return err
	}
	return audit(ctx, tx, now, caseID, who, "learning_reply", fmt.Sprintf("%s: %s", who, strings.ToLower(answer)))
}

var registersRe = lazyRegexp(`(?i)\b(would like to attend|will attend|i('| a)m attending|register(ing)? (me|to attend)|count me in|i can attend|please book me)\b`)

// declinesRe is "we cannot come" in words, in answer to a learning event invitation.
var declinesRe = lazyRegexp(`(?i)\b(can ?not (come|attend|make it|be there)|can'?t (come|attend|make it|be there)|unable to (come|attend|make it|be there)|not (be )?able to (come|attend|make it|be there)|will not (come|attend|be attending|be there|make it)|won'?t (come|attend|be attending|be there|make it)|(am|are|is|be) not attending|(send|sends|sent|give|offer|with) (our |my )?apologies|apologies (from|for (the day|the event|that day|absence))|(must|have to|regretfully|regret to|i|we) decline)\b`)

// apologiesOnlyRe is "apologies" alone, which declines only when nothing registers
// ("Apologies for the late reply: I would like to attend" is coming).
var apologiesOnlyRe = lazyRegexp(`(?i)\bapologies\b`)

// learningAnswerOf reads a reply to a learning event invitation in the sender's own words
// (never the invitation quoted below them, which says "I would like to attend"):
// REGISTERED, DECLINED, or "" for neither.
func learningAnswerOf(text string) string {
	own := ownText(text, 200)
	switch {
	case declinesRe().MatchString(own):
		return "DECLINED"
	case registersRe().MatchString(own):
		return "REGISTERED"
	case apologiesOnlyRe().MatchString(own):
		return "DECLINED"
	}
	return ""
}

// learningRegistration records "I would like to attend" (or "we cannot come") in reply
// to a learning event invitation, from the person who writes it: in their own words, not
// the invitation they quote. An answer from an address that was not invited (a family
// member replying to a forwarded invitation, say) is not counted, as a calendar reply
// from one is not, and staff are told. It reports false for any other message.
func (t *Tracker) learningRegistration(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, res *IngestResult) (bool, error) {
	if tt.kind != TmplLearningInvite || tt.caseID == 0 {
		return false, nil
	}
	answer := learningAnswerOf(in.Text)
	if answer == "" {
		return false, nil
	}
	var seq int
	var invited string
	err := tx.QueryRowContext(ctx, `SELECT sequence, invitees FROM learning_events WHERE case_id = ?`, tt.caseID).Scan(&seq, &invited)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	from := normAddr(in.From)
	if !listHas(invited, from) {
		res.Disposition = DispForPerson
		what := map[string]string{"REGISTERED": "a registration", "DECLINED": "an apology"}[answer]
		if err := audit(ctx, tx, now, tt.caseID, from, "learning_reply_ignored", fmt.Sprintf("%s for the learning event from %s, who was not invited; not counted", what, from)); err != nil {
			return true, err
		}
		return true, t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("A reply to a learning event invitation reads as %s, from %s, an address that was not invited (the invitation may have been forwarded). It is not counted and nothing was sent in reply; invite them with the partnership if they should come.", what, from), in)
	}
	res.Disposition = DispCalendarReply
	return true, t.recordLearningAnswer(ctx, tx, now, tt.caseID, from, answer, seq, in.ReceivedAt)
}

// LearningView is a learning event and who answered, for csprbot case REF and the digest.
type LearningView struct {
	At      time.Time        `json:"at"`
	Venue   string           `json:"venue,omitempty"`
	Status  string           `json:"status"` // set | held
	Coming  int              `json:"coming"` // accepted or registered
	Answers []LearningAnswer `json:"answers"`
}

// LearningAnswer is one person's answer: accepted, declined, tentative or registered.
type LearningAnswer struct {
	Attendee string `json:"attendee"`
	Answer   string `json:"answer"`
}

func learningView(ctx context.Context, q querier, caseID int64) (*LearningView, error) {
	var at string
	v := &LearningView{Answers: []LearningAnswer{}}
	err := q.QueryRowContext(ctx, `SELECT at, venue, status FROM learning_events WHERE case_id = ?`, caseID).Scan(&at, &v.Venue, &v.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v.At, _ = time.Parse(time.RFC3339, at)
	rows, err := q.QueryContext(ctx, `SELECT attendee, answer FROM learning_replies WHERE case_id = ? ORDER BY attendee`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a LearningAnswer
		if err := rows.Scan(&a.Attendee, &a.Answer); err != nil {
			return nil, err
		}
		a.Answer = strings.ToLower(a.Answer)
		if a.Answer == "registered" || a.Answer == "accepted" {
			v.Coming++
		}
		v.Answers = append(v.Answers, a)
	}
	return v, rows.Err()
}

// Lines is the learning event as lines of text.
func (v *LearningView) Lines(loc *time.Location) []string {
	if v == nil {
		return nil
	}
	head := "Learning event " + v.At.In(loc).Format("15:04 Mon 2 Jan 2006")
	if v.Venue != "" {
		head += " at " + v.Venue
	}
	out := []string{fmt.Sprintf("%s (%s): %d coming, %d answers", head, v.Status, v.Coming, len(v.Answers))}
	for _, a := range v.Answers {
		out = append(out, "  "+a.Attendee+": "+a.Answer)
	}
	return out
}

// learningReminderGap is how long before a reminder the invitation must have gone: an
// invitation of the last few days is its own reminder.
const learningReminderGap = 3 * 24 * time.Hour

// tickLearning sends the reminder a week before the learning event (to everyone invited
// who has not declined) and, once it has taken place, meets its deadlines. The reminder
// goes only when the invitations went before the week began and at least
// learningReminderGap ago: an event set two days ahead is not "reminded" minutes after
// its invitation.
func (t *Tracker) tickLearning(ctx context.Context, now time.Time) error {
	rows, err := t.db.QueryContext(ctx, `SELECT l.case_id, l.at, l.updated_at, l.reminded_at IS NOT NULL FROM learning_events l JOIN cases c ON c.id = l.case_id
		WHERE l.status = 'set' AND c.stage IN (?, ?)`, StageLCSPR, StageAlternative)
	if err != nil {
		return err
	}
	type ev struct {
		caseID   int64
		at       time.Time
		invited  time.Time // when the invitations (of this date) went
		reminded bool
	}
	var evs []ev
	for rows.Next() {
		var e ev
		var at, invited string
		if err := rows.Scan(&e.caseID, &at, &invited, &e.reminded); err != nil {
			rows.Close()
			return err
		}
		e.at, _ = time.Parse(time.RFC3339, at)
		e.invited, _ = time.Parse(time.RFC3339, invited)
		evs = append(evs, e)
	}
	rows.Close()
	for _, e := range evs {
		err := t.tx(ctx, func(tx *sql.Tx) error {
			switch {
			case !now.Before(e.at):
				if _, err := tx.ExecContext(ctx, `UPDATE learning_events SET status = 'held' WHERE case_id = ?`, e.caseID); err != nil {
					return err
				}
				drows, err := tx.QueryContext(ctx, `SELECT agency FROM deadlines WHERE case_id = ? AND rule = 'learning_event' AND status = 'pending'`, e.caseID)
				if err != nil {
					return err
				}
				var ags []string
				for drows.Next() {
					var a string
					if err := drows.Scan(&a); err != nil {
						drows.Close()
						return err
					}
					if !familyStep(a) { // the family's part is its own step (lcspr_tor.go)
						ags = append(ags, a)
					}
				}
				drows.Close()
				for _, a := range ags {
					if err := t.meetDeadline(ctx, tx, now, e.caseID, "learning_event", a, e.at); err != nil {
						return err
					}
				}
				return audit(ctx, tx, now, e.caseID, "csprbot", "learning_event_held", "the learning event took place "+t.londonDay(e.at))
			case !e.reminded && t.londonDay(now) >= t.londonDay(e.at.AddDate(0, 0, -7)) && t.reminderDue(e.at, e.invited, now):
				return t.remindLearning(ctx, tx, now, e.caseID)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// reminderDue reports whether the reminder of an event at at, whose invitations went at
// invited, may go now: only when they went before the reminder's week opened (the
// London day a week before) and at least learningReminderGap before now.
func (t *Tracker) reminderDue(at, invited, now time.Time) bool {
	y, m, d := at.In(t.cal.Location()).AddDate(0, 0, -7).Date()
	opens := time.Date(y, m, d, 0, 0, 0, 0, t.cal.Location())
	return invited.Before(opens) && now.Sub(invited) >= learningReminderGap
}

func (t *Tracker) remindLearning(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64) error {
	var uid, at, venue, invited string
	var seq, minutes int
	if err := tx.QueryRowContext(ctx, `SELECT uid, sequence, at, venue, invitees, minutes FROM learning_events WHERE case_id = ?`, caseID).Scan(&uid, &seq, &at, &venue, &invited, &minutes); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE learning_events SET reminded_at = ? WHERE case_id = ?`, ts(now), caseID); err != nil {
		return err
	}
	declined, err := stringSet(ctx, tx, `SELECT attendee FROM learning_replies WHERE case_id = ? AND answer = 'DECLINED'`, caseID)
	if err != nil {
		return err
	}
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return err
	}
	view, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return err
	}
	start, _ := time.Parse(time.RFC3339, at)
	ev := &EventView{UID: uid, Sequence: seq, Method: "REQUEST", Start: start, End: start.Add(time.Duration(minutes) * time.Minute),
		Summary: "Practitioner learning event " + c.ref + initialsSuffix(c.initials), Location: venue, Organizer: organizer(t.cfg), Stamp: now}
	var to []string
	for _, a := range strings.Split(invited, ",") {
		if a = normAddr(a); a != "" {
			ev.Attendees = append(ev.Attendees, a)
			if !declined[a] {
				to = append(to, a)
			}
		}
	}
	for _, a := range to {
		d := &MailData{Case: view, Due: start, Reason: "reminder", RR: &RRView{Meeting: ev.Start, MeetingEnd: ev.End, Location: venue, Event: ev},
			LCSPR: &LCSPRView{Venue: venue}}
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplLearningInvite, to: []string{a}, data: d}); err != nil {
			return err
		}
	}
	return audit(ctx, tx, now, caseID, "csprbot", "learning_event_reminder", fmt.Sprintf("reminder of the learning event sent to %d people", len(to)))
}

// digestLearning is a line for each open local review's learning event: when, where, and
// who is coming, for the digest.
func digestLearning(ctx context.Context, q querier, loc *time.Location) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.ref FROM learning_events l JOIN cases c ON c.id = l.case_id WHERE c.stage IN (?, ?) ORDER BY c.id`, StageLCSPR, StageAlternative)
	if err != nil {
		return nil, err
	}
	type cs struct {
		id  int64
		ref string
	}
	var list []cs
	for rows.Next() {
		var c cs
		if err := rows.Scan(&c.id, &c.ref); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, c)
	}
	rows.Close()
	var out []string
	for _, c := range list {
		v, err := learningView(ctx, q, c.id)
		if err != nil || v == nil {
			return out, err
		}
		var coming []string
		for _, a := range v.Answers {
			if a.Answer == "accepted" || a.Answer == "registered" {
				coming = append(coming, a.Attendee)
			}
		}
		l := fmt.Sprintf("%s: learning event %s", c.ref, v.At.In(loc).Format("15:04 Mon 2 Jan 2006"))
		if v.Venue != "" {
			l += " at " + v.Venue
		}
		l += fmt.Sprintf(" (%s): %d coming", v.Status, len(coming))
		if len(coming) > 0 {
			l += " (" + strings.Join(coming, ", ") + ")"
		}
		out = append(out, l)
	}
	return out, nil
}

// CancelLearningEvent cancels the practitioner learning event: everyone invited gets the
// cancellation with an iCalendar CANCEL (the same UID, the sequence one on), as the Rapid
// Review meeting's cancellation does. The learning_event deadline stays as it was: a new
// date is set with Learning event: YYYY-MM-DD HH:MM.
func (t *Tracker) CancelLearningEvent(ctx context.Context, ref, actor string) (LearningResult, error) {
	return onCase(ctx, t, ref, "cancel learning event", func(tx *sql.Tx, now time.Time, c caseRow) (LearningResult, error) {
		return t.cancelLearningEvent(ctx, tx, now, c, actor)
	})
}

func (t *Tracker) cancelLearningEvent(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, actor string) (LearningResult, error) {
	res := LearningResult{Ref: c.ref}
	var uid, at, status, invitees string
	var seq, minutes int
	err := tx.QueryRowContext(ctx, `SELECT uid, sequence, at, minutes, venue, status, invitees FROM learning_events WHERE case_id = ?`, c.id).
		Scan(&uid, &seq, &at, &minutes, &res.Venue, &status, &invitees)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "set") {
		return res, fmt.Errorf("%w: %s has no learning event set", ErrRefused, c.ref)
	}
	if err != nil {
		return res, err
	}
	res.At, _ = time.Parse(time.RFC3339, at)
	seq++
	if _, err := tx.ExecContext(ctx, `UPDATE learning_events SET sequence = ?, status = 'cancelled', set_by = ?, updated_at = ? WHERE case_id = ?`,
		seq, actor, ts(now), c.id); err != nil {
		return res, err
	}
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return res, err
	}
	ev := &EventView{UID: uid, Sequence: seq, Method: "CANCEL", Start: res.At, End: res.At.Add(time.Duration(minutes) * time.Minute),
		Summary: "Practitioner learning event " + c.ref + initialsSuffix(c.initials), Location: res.Venue, Organizer: organizer(t.cfg), Stamp: now}
	var addrs []string
	for _, a := range strings.Split(invitees, ",") {
		if a = normAddr(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	ev.Attendees = addrs
	for _, a := range addrs {
		d := &MailData{Case: view, Due: res.At, RR: &RRView{Meeting: ev.Start, MeetingEnd: ev.End, Location: res.Venue, Event: ev},
			LCSPR: &LCSPRView{Venue: res.Venue}, Reason: "cancelled"}
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, tmpl: TmplLearningInvite, to: []string{a}, data: d}); err != nil {
			return res, err
		}
		res.Invited = append(res.Invited, a)
	}
	return res, audit(ctx, tx, now, c.id, actor, "learning_event_cancelled", fmt.Sprintf("learning event of %s cancelled by %s (sequence %d); cancellation sent to %d",
		res.At.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"), actor, seq, len(res.Invited)))
}

// LearningCancelled is a cancelled learning event as one line.
func LearningCancelled(res LearningResult, loc *time.Location) string {
	return fmt.Sprintf("learning event of %s cancelled; cancellation sent to %d people; set a new date with Learning event: YYYY-MM-DD HH:MM",
		res.At.In(loc).Format("15:04 Mon 2 Jan 2006"), len(res.Invited))
}
