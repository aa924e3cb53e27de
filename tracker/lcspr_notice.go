package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// prepareNotice queues an email to national bodies as a draft that waits for a person's
// approval (national_notices), replacing one of the same kind still waiting. Nothing is
// sent until approveNotices.
func (t *Tracker) prepareNotice(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, what string, to []string, lv *LCSPRView, extra []Attachment) (string, error) {
	var rcpt []string
	for _, a := range to {
		if a = normAddr(a); a != "" {
			rcpt = append(rcpt, a)
		}
	}
	if len(rcpt) == 0 {
		// The administrator's detail goes to the log; the staff member who asked is told
		// plainly (the reply names no configuration key).
		t.log.Warn("a national notice has no address to go to: set [addresses] national_panel, ofsted, dfe (or nspcc) in the configuration",
			"notice", what, "case_id", caseID)
		return "", fmt.Errorf("%w: csprbot has no email address for the national bodies the %s goes to; the person who runs csprbot must add them (its log says where)", ErrRefused, strings.ReplaceAll(what, "_", " "))
	}
	rows, err := tx.QueryContext(ctx, `SELECT outbox_msgid FROM national_notices WHERE case_id = ? AND what = ? AND status = 'awaiting_approval'`, caseID, what)
	if err != nil {
		return "", err
	}
	var old []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", err
		}
		old = append(old, id)
	}
	rows.Close()
	for _, id := range old {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'superseded', last_error = 'replaced by a later one' WHERE message_id = ? AND status = 'awaiting_approval'`, id); err != nil {
			return "", err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE national_notices SET status = 'superseded' WHERE case_id = ? AND what = ? AND status = 'awaiting_approval'`, caseID, what); err != nil {
		return "", err
	}
	view, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return "", err
	}
	lv.Notice = what
	id, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplNationalNotice, to: rcpt, data: &MailData{Case: view, LCSPR: lv}, extra: extra, draft: true})
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'awaiting_approval' WHERE message_id = ? AND status IN ('queued', 'awaiting_approval')`, id); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO national_notices(case_id, what, outbox_msgid, created_at) VALUES (?, ?, ?, ?)`, caseID, what, id, ts(now)); err != nil {
		return "", err
	}
	return id, audit(ctx, tx, now, caseID, "csprbot", "notice_prepared", fmt.Sprintf("%s to %s prepared; waiting for approval (Approve)", what, strings.Join(rcpt, ", ")))
}

// noticeWhat reads the name of a notice as staff write it.
func noticeWhat(s string) string {
	switch s {
	case "reviewer", "reviewer notice", "reviewer notification", "lead reviewer", NoticeReviewer:
		return NoticeReviewer
	case "final report", NoticeFinalReport:
		return NoticeFinalReport
	case "nspcc", "nspcc submission", NoticeNSPCC:
		return NoticeNSPCC
	case "delay", "publication delay", NoticeDelay:
		return NoticeDelay
	}
	return s
}

// approveNotices approves the case's notices waiting for approval (what "": all of them):
// each is queued once, if the send policy lets it go, and its deadline is met.
func (t *Tracker) approveNotices(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, what, actor string) ([]string, error) {
	what = noticeWhat(what)
	q := `SELECT id, what, outbox_msgid FROM national_notices WHERE case_id = ? AND status = 'awaiting_approval'`
	args := []any{c.id}
	if what != "" {
		q += ` AND what = ?`
		args = append(args, what)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	type notice struct {
		id          int64
		what, msgid string
	}
	var ns []notice
	for rows.Next() {
		var n notice
		if err := rows.Scan(&n.id, &n.what, &n.msgid); err != nil {
			rows.Close()
			return nil, err
		}
		ns = append(ns, n)
	}
	rows.Close()
	if len(ns) == 0 {
		return nil, fmt.Errorf("%w: %s has no %s waiting for approval", ErrRefused, c.ref, map[bool]string{true: "notice", false: what}[what == ""])
	}
	var out []string
	for _, n := range ns {
		if _, err := tx.ExecContext(ctx, `UPDATE national_notices SET status = 'approved', approved_by = ?, approved_at = ? WHERE id = ?`, actor, ts(now), n.id); err != nil {
			return nil, err
		}
		var rcpt string
		if err := tx.QueryRowContext(ctx, `SELECT recipients FROM outbox WHERE message_id = ?`, n.msgid).Scan(&rcpt); err != nil {
			return nil, err
		}
		var to []string
		for _, a := range strings.Split(rcpt, ",") {
			if a = normAddr(a); a != "" {
				to = append(to, a)
			}
		}
		v, err := t.sendPolicy(ctx, tx, now, atRelease, policyMail{caseID: c.id, messageID: n.msgid, to: to})
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ? WHERE message_id = ? AND status = 'awaiting_approval'`,
			v.status, v.why, ts(now), n.msgid); err != nil {
			return nil, err
		}
		if err := audit(ctx, tx, now, c.id, actor, "notice_approved", fmt.Sprintf("%s approved by %s; %s: %s", n.what, actor, v.status, n.msgid)); err != nil {
			return nil, err
		}
		s := n.what + " approved and queued"
		if v.status != "queued" {
			// Held (an address bounced, say): said so, with why, and its deadline is met
			// when it is sent (recordOutcome), not on the approval.
			s = n.what + " approved but held, not sent: " + strings.TrimPrefix(strings.TrimPrefix(v.why, "held for a person: "), "held: ")
			t.log.Warn("an approved national notice is held, not sent", "case", c.ref, "notice", n.what, "message_id", n.msgid, "why", v.code)
		} else if err := meetNoticeDeadline(ctx, t, tx, now, c.id, n.what); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// meetNoticeDeadline meets the deadline a national notice answers, if it has one.
func meetNoticeDeadline(ctx context.Context, t *Tracker, tx *sql.Tx, at time.Time, caseID int64, what string) error {
	switch what {
	case NoticeReviewer, NoticeFinalReport, NoticeNSPCC:
		return t.meetDeadline(ctx, tx, at, caseID, what, "", at)
	}
	return nil
}
