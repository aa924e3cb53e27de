package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CalendarReply is an invitee's answer to the meeting request, as intake read it from an
// iCalendar REPLY (mailbox.ReadCalendarReply).
type CalendarReply struct {
	UID      string
	Sequence int
	Attendee string
	PartStat string // ACCEPTED, DECLINED, TENTATIVE, ...
}

// DispCalendarReply is a meeting response: recorded on the case, never answered.
const DispCalendarReply = "calendar_reply"

// Outlook and Exchange write the answer in the subject ("Accepted: …", "Declined: …",
// "Tentative: …"), also when the calendar part is missing.
var responseSubject = lazyRegexp(`(?i)^\s*(accepted|declined|tentative|tentatively accepted)\s*:`)

// calendarReplyOf is the meeting response a message is, if it is one: an iCalendar
// REPLY, or (a client that sent no calendar part) an "Accepted:" subject on a message
// tied to a case that carries no document.
func calendarReplyOf(in *Incoming, tt tie) *CalendarReply {
	if in.CalReply != nil {
		return in.CalReply
	}
	m := responseSubject().FindStringSubmatch(in.Subject)
	if m == nil || tt.caseID == 0 || carriesDocument(in) {
		return nil
	}
	ps := "ACCEPTED"
	switch strings.ToLower(m[1]) {
	case "declined":
		ps = "DECLINED"
	case "tentative", "tentatively accepted":
		ps = "TENTATIVE"
	}
	return &CalendarReply{Attendee: normAddr(in.From), PartStat: ps, Sequence: -1}
}

// calendarReply records an invitee's answer on the case whose meeting it answers (by the
// event's UID, or by the reply's tie), never answers it, and never sends it to triage.
// Only an invitee's own answer counts, and only for the current version of the meeting.
func (t *Tracker) calendarReply(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, r *CalendarReply, tt tie, res *IngestResult) error {
	// An answer to the local review's learning event (lcspr_learning.go).
	if done, err := t.learningReply(ctx, tx, now, in, r, tt, res); done || err != nil {
		return err
	}
	res.Disposition = DispCalendarReply
	caseID := tt.caseID
	if r.UID != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT case_id FROM meetings WHERE uid = ?`, r.UID).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		caseID = id
	}
	from := normAddr(in.From)
	if caseID == 0 {
		return audit(ctx, tx, now, 0, from, "meeting_reply_unmatched", fmt.Sprintf("a meeting response (%s) that matches no Rapid Review meeting; recorded, not answered", r.PartStat))
	}
	var ref string
	if err := tx.QueryRowContext(ctx, `SELECT ref FROM cases WHERE id = ?`, caseID).Scan(&ref); err != nil {
		return err
	}
	res.CaseRef = ref
	m, ok, err := loadMeeting(ctx, tx, caseID)
	if err != nil {
		return err
	}
	var invited string
	if err := tx.QueryRowContext(ctx, `SELECT invitees FROM meetings WHERE case_id = ?`, caseID).Scan(&invited); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	who := normAddr(r.Attendee)
	// The answer is the sender's own: an attendee line naming someone else does not make
	// the sender speak for them.
	if who != from {
		return audit(ctx, tx, now, caseID, from, "meeting_reply_ignored", fmt.Sprintf("a meeting response from %s for %s: not the sender's own answer; not counted", from, who))
	}
	if !ok || !listHas(invited, who) {
		return audit(ctx, tx, now, caseID, from, "meeting_reply_ignored", fmt.Sprintf("a meeting response (%s) from %s, who was not invited; not counted", r.PartStat, from))
	}
	seq := r.Sequence
	if seq < 0 {
		seq = m.sequence // a subject alone answers the meeting as it stands
	}
	if seq < m.sequence {
		return audit(ctx, tx, now, caseID, from, "meeting_reply_stale", fmt.Sprintf("%s answered an earlier version of the meeting (%s); not counted", from, r.PartStat))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_replies(case_id, attendee, partstat, sequence, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(case_id, attendee) DO UPDATE SET partstat = excluded.partstat, sequence = excluded.sequence, at = excluded.at
		WHERE excluded.sequence >= meeting_replies.sequence`, caseID, who, r.PartStat, seq, ts(in.ReceivedAt)); err != nil {
		return err
	}
	return audit(ctx, tx, now, caseID, from, "meeting_reply", fmt.Sprintf("%s: %s", from, strings.ToLower(r.PartStat)))
}

func listHas(list, addr string) bool {
	for _, a := range strings.Split(list, ",") {
		if normAddr(a) == addr {
			return true
		}
	}
	return false
}

// warnQuorumByReplies tells staff, once for each version of the meeting, when the
// acceptances so far do not make the meeting quorate (one each of the local authority,
// the police and health). It runs the working day before the meeting, with the papers.
func (t *Tracker) warnQuorumByReplies(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64) error {
	m, ok, err := loadMeeting(ctx, tx, caseID)
	if err != nil || !ok || m.status != "set" {
		return err
	}
	var checked int
	if err := tx.QueryRowContext(ctx, `SELECT quorum_checked FROM meetings WHERE case_id = ?`, caseID).Scan(&checked); err != nil {
		return err
	}
	if checked >= m.sequence {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meetings SET quorum_checked = ? WHERE case_id = ?`, m.sequence, caseID); err != nil {
		return err
	}
	inv, err := t.invitees(ctx, tx, caseID)
	if err != nil {
		return err
	}
	accepted, err := stringSet(ctx, tx, `SELECT attendee FROM meeting_replies WHERE case_id = ? AND partstat = 'ACCEPTED' AND sequence >= ?`, caseID, m.sequence)
	if err != nil {
		return err
	}
	var yes []invitee
	for _, i := range inv {
		if accepted[i.addr] {
			yes = append(yes, i)
		}
	}
	missing := missingPartners(yes)
	if len(missing) == 0 {
		return audit(ctx, tx, now, caseID, "csprbot", "quorum_by_replies", "acceptances cover the local authority, the police and health")
	}
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return err
	}
	reason := fmt.Sprintf("The Rapid Review meeting for %s on %s is not yet quorate by the answers received: nobody from %s has accepted the invitation. The meeting needs one representative each of the local authority, the police and health: please follow this up today.",
		c.ref, m.at.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"), strings.Join(partnerWords(missing), ", "))
	if err := audit(ctx, tx, now, caseID, "csprbot", "quorum_warning", "acceptances lack: "+strings.Join(missing, ", ")); err != nil {
		return err
	}
	return t.staffNote(ctx, tx, now, caseID, reason, nil)
}

// stringSet runs a query of one text column and returns its values as a set.
func stringSet(ctx context.Context, tx *sql.Tx, query string, args ...any) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		set[v] = true
	}
	return set, rows.Err()
}
