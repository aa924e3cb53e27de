package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MeetingMinutes is how long a Rapid Review meeting is booked for.
const MeetingMinutes = 90

// quorumPartners are the safeguarding partners a Rapid Review needs one each of.
var quorumPartners = []string{"local_authority", "police", "health"}

// MeetingResult says what SetMeeting or CancelMeeting did.
type MeetingResult struct {
	Ref        string
	At         time.Time
	UID        string
	Sequence   int
	Moved      bool     // an earlier time was replaced (an update was sent)
	Unchanged  bool     // the meeting was already at that time: nothing sent
	Cancelled  bool     // CancelMeeting
	Forced     bool     // outside the rr_meeting window, with force
	Invited    []string // addresses the invitation (or cancellation) went to
	NoQuorum   []string // partners none of the invitees represents
	PapersSent bool     // the papers went out at once (the meeting is within a working day)
	WindowFrom time.Time
	WindowTo   time.Time
}

type meetingRow struct {
	caseID   int64
	uid      string
	sequence int
	at       time.Time
	minutes  int
	status   string
	papersAt time.Time
}

func loadMeeting(ctx context.Context, q querier, caseID int64) (meetingRow, bool, error) {
	m := meetingRow{caseID: caseID}
	var at string
	var papers sql.NullString
	err := q.QueryRowContext(ctx, `SELECT uid, sequence, at, minutes, status, papers_at FROM meetings WHERE case_id = ?`, caseID).
		Scan(&m.uid, &m.sequence, &at, &m.minutes, &m.status, &papers)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	m.at, _ = time.Parse(time.RFC3339, at)
	m.papersAt = parseTS(papers)
	return m, true, nil
}

// SetMeeting sets (or moves) a case's Rapid Review meeting and sends the invitations,
// with an iCalendar REQUEST, to staff and every agency of the case with a known address.
// A time outside the rr_meeting window is refused unless force is set. The papers go
// with it when the meeting is less than a working day away.
func (t *Tracker) SetMeeting(ctx context.Context, ref string, at time.Time, force bool, actor string) (MeetingResult, error) {
	return onCase(ctx, t, ref, "meeting", func(tx *sql.Tx, now time.Time, c caseRow) (MeetingResult, error) {
		return t.setMeeting(ctx, tx, now, c, at, force, actor)
	})
}

func (t *Tracker) setMeeting(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, at time.Time, force bool, actor string) (MeetingResult, error) {
	res := MeetingResult{Ref: c.ref, At: at}
	switch c.stage {
	case StageClosed, StageLCSPR, StageNational:
		return res, fmt.Errorf("%w: case %s is at stage %s: its Rapid Review is over", ErrRefused, c.ref, c.stage)
	}
	var sub int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ? AND status != 'superseded'`, c.id).Scan(&sub); err != nil {
		return res, err
	}
	if sub > 0 {
		return res, fmt.Errorf("%w: case %s already has its Rapid Review report: the meeting has been held", ErrRefused, c.ref)
	}
	var from, due sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT from_at, due_at FROM deadlines WHERE case_id = ? AND rule = 'rr_meeting' AND agency = ''`, c.id).Scan(&from, &due)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	res.WindowFrom, res.WindowTo = parseTS(from), parseTS(due)
	loc := t.cal.Location()
	outside := ""
	switch {
	case !res.WindowFrom.IsZero() && at.Before(res.WindowFrom):
		outside = "before"
	case !res.WindowTo.IsZero() && at.After(res.WindowTo):
		outside = "after"
	case at.Before(now):
		outside = "in the past, before"
	}
	if outside != "" {
		if !force {
			win := "now"
			if !res.WindowTo.IsZero() {
				win = fmt.Sprintf("the rr_meeting window (%s to %s)", windowStart(res.WindowFrom, loc), res.WindowTo.In(loc).Format("Mon 2 Jan 2006 15:04"))
			}
			if outside == "in the past, before" {
				win = "now"
			}
			return res, fmt.Errorf("%w: %s is %s %s; give --force (or \"Meeting: ... force\") to set it anyway",
				ErrRefused, at.In(loc).Format("Mon 2 Jan 2006 15:04"), outside, win)
		}
		res.Forced = true
	}

	m, exists, err := loadMeeting(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	if exists && m.status == "set" && m.at.Equal(at) {
		res.Unchanged, res.UID, res.Sequence = true, m.uid, m.sequence
		return res, nil
	}
	if !exists {
		m = meetingRow{caseID: c.id, uid: "rapid-review." + c.ref + "." + randomHex(6) + "@" + t.cfg.MessageIDDomain, minutes: MeetingMinutes}
	} else {
		m.sequence++
		res.Moved = m.status == "set"
	}
	prev := m.at
	m.at, m.status = at, "set"
	inv, err := t.invitees(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	var addrs []string
	for _, i := range inv {
		addrs = append(addrs, i.addr)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meetings(case_id, uid, sequence, at, minutes, status, invitees, set_by, updated_at)
		VALUES (?, ?, ?, ?, ?, 'set', ?, ?, ?)
		ON CONFLICT(case_id) DO UPDATE SET sequence = excluded.sequence, at = excluded.at, status = 'set', invitees = excluded.invitees,
			set_by = excluded.set_by, updated_at = excluded.updated_at`,
		c.id, m.uid, m.sequence, ts(at), m.minutes, strings.Join(addrs, ", "), actor, ts(now)); err != nil {
		return res, err
	}
	res.UID, res.Sequence, res.Invited = m.uid, m.sequence, addrs

	// Deadlines that count from the meeting.
	anchors := t.caseAnchors(c, at)
	if _, err := tx.ExecContext(ctx, `DELETE FROM deadlines WHERE case_id = ? AND rule = 'rr_papers' AND agency = '' AND status = 'pending'`, c.id); err != nil {
		return res, err
	}
	for _, rule := range []string{"rr_papers", "rr_submission", "outcome_notice"} {
		if err := t.setDeadline(ctx, tx, c.id, rule, "", anchors); err != nil {
			return res, err
		}
	}

	detail := fmt.Sprintf("Rapid Review meeting set by %s for %s (sequence %d)", actor, at.In(loc).Format("Mon 2 Jan 2006 15:04"), m.sequence)
	if res.Moved {
		detail = fmt.Sprintf("Rapid Review meeting moved by %s from %s to %s (sequence %d)", actor,
			prev.In(loc).Format("Mon 2 Jan 2006 15:04"), at.In(loc).Format("Mon 2 Jan 2006 15:04"), m.sequence)
	}
	if res.Forced {
		detail += "; outside the rr_meeting window, forced"
	}
	if err := audit(ctx, tx, now, c.id, actor, "meeting_set", detail); err != nil {
		return res, err
	}
	if err := t.sendInvites(ctx, tx, now, c, m, "REQUEST", inv); err != nil {
		return res, err
	}
	res.NoQuorum = missingPartners(inv)
	if len(res.NoQuorum) > 0 {
		reason := fmt.Sprintf("The Rapid Review meeting for %s cannot be quorate as invited: no invitee represents %s. The meeting needs one representative each of the local authority, the police and health. Add the agency (\"Add agency: NAME\") or invite someone by hand.",
			c.ref, strings.Join(partnerWords(res.NoQuorum), ", "))
		if err := t.staffNote(ctx, tx, now, c.id, reason, nil); err != nil {
			return res, err
		}
		if err := audit(ctx, tx, now, c.id, "csprbot", "quorum_warning", "invitees lack: "+strings.Join(res.NoQuorum, ", ")); err != nil {
			return res, err
		}
	}
	if m.papersAt.IsZero() && t.papersDue(at, now) {
		n, err := t.sendPapers(ctx, tx, now, c.id, 0, "")
		if err != nil {
			return res, err
		}
		res.PapersSent = n >= 0
	}
	return res, nil
}

func windowStart(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "now"
	}
	return t.In(loc).Format("Mon 2 Jan 2006 15:04")
}

// caseAnchors are the times a case's deadlines count from: the referral, the day the
// authority became aware (the referral until recorded) and the meeting, if set.
func (t *Tracker) caseAnchors(c caseRow, meeting time.Time) map[Anchor]time.Time {
	aware := c.aware
	if aware.IsZero() {
		aware = c.received
	}
	a := map[Anchor]time.Time{AnchorReferral: c.received, AnchorAware: aware}
	if !meeting.IsZero() {
		a[AnchorMeeting] = meeting
	}
	return a
}

// CancelMeeting cancels a case's Rapid Review meeting and sends an iCalendar CANCEL to
// those last invited.
func (t *Tracker) CancelMeeting(ctx context.Context, ref, actor string) (MeetingResult, error) {
	return onCase(ctx, t, ref, "cancel meeting", func(tx *sql.Tx, now time.Time, c caseRow) (MeetingResult, error) {
		return t.cancelMeeting(ctx, tx, now, c, actor)
	})
}

func (t *Tracker) cancelMeeting(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, actor string) (MeetingResult, error) {
	res := MeetingResult{Ref: c.ref, Cancelled: true}
	m, exists, err := loadMeeting(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	if !exists || m.status != "set" {
		return res, fmt.Errorf("%w: case %s has no meeting set", ErrRefused, c.ref)
	}
	m.sequence++
	m.status = "cancelled"
	if _, err := tx.ExecContext(ctx, `UPDATE meetings SET sequence = ?, status = 'cancelled', set_by = ?, updated_at = ? WHERE case_id = ?`,
		m.sequence, actor, ts(now), c.id); err != nil {
		return res, err
	}
	res.At, res.UID, res.Sequence = m.at, m.uid, m.sequence
	if _, err := tx.ExecContext(ctx, `DELETE FROM deadlines WHERE case_id = ? AND rule = 'rr_papers' AND agency = '' AND status = 'pending'`, c.id); err != nil {
		return res, err
	}
	anchors := t.caseAnchors(c, time.Time{})
	for _, rule := range []string{"rr_submission", "outcome_notice"} {
		if err := t.setDeadline(ctx, tx, c.id, rule, "", anchors); err != nil {
			return res, err
		}
	}
	inv, err := t.invitees(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	for _, i := range inv {
		res.Invited = append(res.Invited, i.addr)
	}
	if err := audit(ctx, tx, now, c.id, actor, "meeting_cancelled", fmt.Sprintf("Rapid Review meeting of %s cancelled by %s (sequence %d)",
		m.at.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"), actor, m.sequence)); err != nil {
		return res, err
	}
	return res, t.sendInvites(ctx, tx, now, c, m, "CANCEL", inv)
}

// invitee is one person invited to the meeting.
type invitee struct {
	addr    string
	agency  string // "" for staff
	partner string
}

// invitees are staff and every agency of the case with a known address.
func (t *Tracker) invitees(ctx context.Context, tx *sql.Tx, caseID int64) ([]invitee, error) {
	var out []invitee
	seen := map[string]bool{}
	add := func(i invitee) {
		i.addr = normAddr(i.addr)
		if i.addr == "" || seen[i.addr] {
			return
		}
		seen[i.addr] = true
		out = append(out, i)
	}
	for _, p := range t.cfg.Staff {
		add(invitee{addr: p.Email})
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, email, partner FROM case_agencies WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i invitee
		if err := rows.Scan(&i.agency, &i.addr, &i.partner); err != nil {
			return nil, err
		}
		if ag, ok := t.cfg.agencyByName(i.agency); ok {
			i.agency = ag.Name
			if i.addr == "" {
				i.addr = ag.Email
			}
			if i.partner == "" {
				i.partner = ag.Partner
			}
		}
		add(i)
	}
	return out, rows.Err()
}

func missingPartners(inv []invitee) []string {
	have := map[string]bool{}
	for _, i := range inv {
		have[i.partner] = true
	}
	var out []string
	for _, p := range quorumPartners {
		if !have[p] {
			out = append(out, p)
		}
	}
	return out
}

func partnerWords(ps []string) []string {
	words := map[string]string{"local_authority": "the local authority", "police": "the police", "health": "health (ICB)"}
	var out []string
	for _, p := range ps {
		out = append(out, words[p])
	}
	return out
}

// sendInvites queues one invitation (or cancellation) per invitee, each carrying the
// whole iCalendar event.
func (t *Tracker) sendInvites(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, m meetingRow, method string, inv []invitee) error {
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return err
	}
	ev := &EventView{UID: m.uid, Sequence: m.sequence, Method: method, Start: m.at, End: m.at.Add(time.Duration(m.minutes) * time.Minute),
		Summary: "Rapid Review meeting " + c.ref + initialsSuffix(c.initials), Organizer: organizer(t.cfg), Stamp: now}
	for _, i := range inv {
		ev.Attendees = append(ev.Attendees, i.addr)
	}
	tmpl := TmplMeetingInvite
	if method == "CANCEL" {
		tmpl = TmplMeetingCancel
	}
	for _, i := range inv {
		d := &MailData{Case: view, Due: m.at, RR: &RRView{Meeting: ev.Start, MeetingEnd: ev.End, Event: ev}}
		if i.agency != "" {
			d.Agency = t.agencyView(ctx, tx, c.id, i.agency)
		}
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, agency: i.agency, tmpl: tmpl, to: []string{i.addr}, data: d}); err != nil {
			return err
		}
	}
	return nil
}

func initialsSuffix(initials string) string {
	if initials == "" {
		return ""
	}
	return " (" + initials + ")"
}

func organizer(cfg Config) string {
	if cfg.Partnership.Name == "" {
		return normAddr(cfg.From)
	}
	return fmt.Sprintf("%q <%s>", cfg.Partnership.Name, normAddr(cfg.From))
}

// papersDue: the papers go at the chase hour one working day before the meeting, or at
// once if that time has passed.
func (t *Tracker) papersDue(meeting, now time.Time) bool {
	sendAt := t.cal.At(t.cal.AddWorkingDays(meeting, -1), t.cfg.ChaseHour, 0)
	return !now.Before(sendAt)
}

// sendPapers sends to the invitees the documents of the case not yet circulated: the
// referral and every scoping return (the first time), or the returns that came since
// (later). extraRow is a message recorded in this transaction but not yet tied to the
// case (a return arriving now), from agency. It returns how many documents went, or -1
// if there was nothing new to send after the first circulation.
func (t *Tracker) sendPapers(ctx context.Context, tx *sql.Tx, now time.Time, caseID, extraRow int64, agency string) (int, error) {
	m, exists, err := loadMeeting(ctx, tx, caseID)
	if err != nil || !exists || m.status != "set" {
		return -1, err
	}
	late := !m.papersAt.IsZero()
	rows, err := tx.QueryContext(ctx, `SELECT id, disposition, agency, body_text FROM messages
		WHERE ((case_id = ? AND disposition IN (?, ?, ?)) OR id = ?)
		AND id NOT IN (SELECT message_id FROM papers_sent WHERE case_id = ?) ORDER BY id`,
		caseID, DispReferral, DispNeedsInput, DispReturn, extraRow, caseID)
	if err != nil {
		return -1, err
	}
	type msg struct {
		id           int64
		disp, agency string
	}
	var msgs []msg
	for rows.Next() {
		var x msg
		var body string
		if err := rows.Scan(&x.id, &x.disp, &x.agency, &body); err != nil {
			rows.Close()
			return -1, err
		}
		if x.id == extraRow {
			x.disp, x.agency = DispReturn, agency
		}
		msgs = append(msgs, x)
	}
	rows.Close()
	if late {
		// After the first circulation only returns go, and only when there is one.
		var only []msg
		for _, x := range msgs {
			if x.disp == DispReturn {
				only = append(only, x)
			}
		}
		msgs = only
		if len(msgs) == 0 {
			return -1, nil
		}
	}
	var atts []Attachment
	var lines []string
	for _, x := range msgs {
		what := "Referral"
		if x.disp == DispReturn {
			what = "Scoping return from " + x.agency
		}
		ar, err := tx.QueryContext(ctx, `SELECT id, name, content_type, data, form_kind, chunks FROM attachments WHERE message_id = ? AND (data IS NOT NULL OR chunks > 0) ORDER BY id`, x.id)
		if err != nil {
			return -1, err
		}
		n := 0
		for ar.Next() {
			var a Attachment
			var kind string
			var aid, chunks int64
			if err := ar.Scan(&aid, &a.Name, &a.ContentType, &a.Data, &kind, &chunks); err != nil {
				ar.Close()
				return -1, err
			}
			if chunks > 0 {
				if a.Data, err = readChunks(ctx, tx, "attachment", aid); err != nil {
					ar.Close()
					return -1, err
				}
			}
			if kind == "" && !isDocument(a.Name) {
				continue // a logo, a signature image
			}
			if x.disp == DispReturn && kind != "" && kind != FormScopingReturn {
				continue
			}
			atts = append(atts, a)
			lines = append(lines, what+": "+a.Name)
			n++
		}
		ar.Close()
		if n == 0 && x.disp == DispReturn {
			lines = append(lines, what+": given in the body of the email (no form attached); the case record holds it")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO papers_sent(case_id, message_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, caseID, x.id, ts(now)); err != nil {
			return -1, err
		}
	}
	inv, err := t.invitees(ctx, tx, caseID)
	if err != nil {
		return -1, err
	}
	view, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return -1, err
	}
	for _, i := range inv {
		d := &MailData{Case: view, Due: m.at, RR: &RRView{Meeting: m.at, MeetingEnd: m.at.Add(time.Duration(m.minutes) * time.Minute), Papers: lines, Late: late}}
		if i.agency != "" {
			d.Agency = t.agencyView(ctx, tx, caseID, i.agency)
		}
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, agency: i.agency, tmpl: TmplPapers, to: []string{i.addr}, data: d, extra: atts}); err != nil {
			return -1, err
		}
	}
	if !late {
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET papers_at = ? WHERE case_id = ?`, ts(now), caseID); err != nil {
			return -1, err
		}
		if err := t.meetDeadline(ctx, tx, now, caseID, "rr_papers", "", now); err != nil {
			return -1, err
		}
		// With the papers, staff get the Rapid Review report drafted (issue 14, drafts.go).
		if err := t.sendRRDraft(ctx, tx, now, caseID); err != nil {
			return -1, err
		}
	}
	event, detail := "papers_sent", fmt.Sprintf("meeting papers (%d documents) sent to %d invitees: %s", len(atts), len(inv), strings.Join(lines, "; "))
	if late {
		event, detail = "papers_late_sent", fmt.Sprintf("a later return sent to %d invitees: %s", len(inv), strings.Join(lines, "; "))
	}
	return len(atts), audit(ctx, tx, now, caseID, "csprbot", event, detail)
}

// forwardLateReturn sends a return that arrives after the meeting papers went out to
// the invitees, in the transaction that records it. intake's agencyReply calls it once
// the return is recorded; the message is found by its Message-ID.
func (t *Tracker) forwardLateReturn(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, agency string, in *Incoming) error {
	m, exists, err := loadMeeting(ctx, tx, caseID)
	if err != nil || !exists || m.status != "set" || m.papersAt.IsZero() {
		return err
	}
	var sub int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ?`, caseID).Scan(&sub); err != nil || sub > 0 {
		return err
	}
	var row int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE message_id = ?`, strings.Trim(in.MessageID, "<> ")).Scan(&row); err != nil {
		return err
	}
	_, err = t.sendPapers(ctx, tx, now, caseID, row, agency)
	return err
}

// staffNote queues a staff_attention email about a case (no incoming message).
func (t *Tracker) staffNote(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, reason string, lines []string) error {
	if len(t.cfg.Staff) == 0 {
		return nil
	}
	c, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return err
	}
	_, err = t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplStaffAttention, to: t.staffAddrs(), data: &MailData{Case: c, Reason: reason, Lines: lines}})
	return err
}

// TickMeetings marks meetings held once their time has passed, sends the papers at the
// chase hour one working day before each meeting, and forwards returns that came after
// the papers. Each case is its own transaction; a second run sends nothing again.
func (t *Tracker) TickMeetings(ctx context.Context) (int, error) {
	now := t.Now()
	ids, err := queryIDs(ctx, t.db, `SELECT m.case_id FROM meetings m JOIN cases c ON c.id = m.case_id
		WHERE m.status = 'set' AND c.stage NOT IN (?, ?, ?) ORDER BY m.case_id`, StageClosed, StageLCSPR, StageNational)
	if err != nil {
		return 0, fmt.Errorf("tracker: tick meetings: %w", err)
	}
	sent := 0
	for _, id := range ids {
		err := t.tx(ctx, func(tx *sql.Tx) error {
			m, ok, err := loadMeeting(ctx, tx, id)
			if err != nil || !ok || m.status != "set" {
				return err
			}
			if !now.Before(m.at) {
				if err := t.meetDeadline(ctx, tx, now, id, "rr_meeting", "", m.at); err != nil {
					return err
				}
				// The meeting is held: the case is at the Rapid Review, whatever returns
				// are still out (issue 9.4: not "Initial scoping" after its meeting).
				r, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ? WHERE id = ? AND stage IN (?, ?)`, StageRapidReview, id, StageReferral, StageScoping)
				if err != nil {
					return err
				}
				if n, _ := r.RowsAffected(); n > 0 {
					if err := audit(ctx, tx, now, id, "csprbot", "stage", "the Rapid Review meeting was held: stage rapid_review"); err != nil {
						return err
					}
				}
			}
			var sub int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ?`, id).Scan(&sub); err != nil || sub > 0 {
				return err
			}
			switch {
			case m.papersAt.IsZero() && t.papersDue(m.at, now):
				// The working day before: are the acceptances quorate?
				if err := t.warnQuorumByReplies(ctx, tx, now, id); err != nil {
					return err
				}
			case !m.papersAt.IsZero():
			default:
				return nil
			}
			n, err := t.sendPapers(ctx, tx, now, id, 0, "")
			if n >= 0 {
				sent++
			}
			return err
		})
		if err != nil {
			return sent, fmt.Errorf("tracker: tick meetings: %w", err)
		}
	}
	// A combined chronology already sent goes again when a later document arrives (drafts.go).
	if err := t.tickDrafts(ctx, now); err != nil {
		return sent, err
	}
	return sent, nil
}
