package tracker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LoopHeader marks mail csprbot sent, so that it never answers itself.
const LoopHeader = "X-Csprbot-Loop"

// outMsg is an email to queue.
type outMsg struct {
	caseID     int64
	agency     string
	tmpl       string
	to, cc     []string
	inReplyTo  string
	references []string
	data       *MailData
	extra      []Attachment
}

// enqueue renders an email and writes it to the outbox in tx, with its Message-ID fixed.
// Mail to an address the configuration does not allow is held for a person to release.
func (t *Tracker) enqueue(ctx context.Context, tx *sql.Tx, now time.Time, m outMsg) (string, error) {
	d := m.data
	if d == nil {
		d = &MailData{}
	}
	d.Partnership = t.cfg.Partnership
	d.Now = now
	rd, err := t.render.Render(m.tmpl, d)
	if err != nil {
		return "", fmt.Errorf("render %s: %w", m.tmpl, err)
	}
	id := t.newMessageID(d.Case.Ref)
	e := &OutEmail{
		MessageID: id, From: t.cfg.From, To: dedupAddrs(m.to), Cc: dedupAddrs(m.cc),
		Subject: rd.Subject, Text: rd.Text, HTML: rd.HTML,
		InReplyTo: strings.Trim(m.inReplyTo, "<>"), References: trimIDs(m.references),
		Headers:     map[string]string{"Auto-Submitted": "auto-generated", LoopHeader: t.cfg.MessageIDDomain},
		Attachments: append(rd.Attachments, m.extra...), Date: now,
	}
	status := "queued"
	var held []string
	for _, a := range append(append([]string{}, e.To...), e.Cc...) {
		if !t.allow.allowed(a) {
			held = append(held, a)
		}
	}
	lastErr := ""
	for _, a := range append(append([]string{}, e.To...), e.Cc...) {
		why, err := addressProblem(ctx, tx, a)
		if err != nil {
			return "", err
		}
		if why == "" {
			over, err := t.overDailyCap(ctx, tx, now, a)
			if err != nil {
				return "", err
			}
			if over {
				why = fmt.Sprintf("over %d emails today", MaxPerAddressPerDay)
			}
		}
		if why != "" {
			status, lastErr = "held", fmt.Sprintf("held for a person: %s: %s", a, why)
		}
	}
	if len(held) > 0 {
		status = "held"
		lastErr = "held for a person: not an address the configuration allows: " + strings.Join(held, ", ")
	}
	if len(e.To) == 0 {
		status, lastErr = "held", "held for a person: no recipient"
	}
	body, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox(message_id, case_id, agency, kind, recipients, subject, email_json, status, next_attempt_at, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, nullID(m.caseID), m.agency, m.tmpl, strings.Join(append(append([]string{}, e.To...), e.Cc...), ", "),
		e.Subject, string(body), status, ts(now), lastErr, ts(now)); err != nil {
		return "", err
	}
	event := "message_out_queued"
	detail := fmt.Sprintf("%s to %s", m.tmpl, strings.Join(e.To, ", "))
	if status == "held" {
		event, detail = "message_out_held", detail+": "+lastErr
		t.log.Warn("outgoing mail held", "kind", m.tmpl, "message_id", id, "case", d.Case.Ref)
	}
	return id, audit(ctx, tx, now, m.caseID, "csprbot", event, detail)
}

func dedupAddrs(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range in {
		n := normAddr(a)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

func trimIDs(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.Trim(strings.TrimSpace(id), "<>")
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Backoff for outgoing mail: 1 min doubling to 1 hour.
func sendBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	if d > time.Hour {
		d = time.Hour
	}
	return d
}

// SendDue sends every queued email whose time has come, oldest first, and returns how
// many were sent. An email is marked sent only after the server accepted it; if csprbot
// dies between the two, the retry carries the same Message-ID (the one window SMTP
// leaves open).
//
// One sender at a time works through the outbox: another SendDue on the same store (in
// this process or another, such as `csprbot run --once` beside the daemon) returns at once
// instead of sending the same emails again. The lock is the kernel's, so a process that
// dies holding it releases it.
func (t *Tracker) SendDue(ctx context.Context, s Sender) (int, error) {
	unlock, ok, err := t.lockSending()
	if err != nil {
		return 0, fmt.Errorf("tracker: send due: %w", err)
	}
	if !ok {
		return 0, nil
	}
	defer unlock()
	sent := 0
	for {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		now := t.Now()
		var id int64
		var body string
		var attempts int
		var caseID sql.NullInt64
		err := t.db.QueryRowContext(ctx, `SELECT id, email_json, attempts, case_id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?
			ORDER BY next_attempt_at, id LIMIT 1`, ts(now)).Scan(&id, &body, &attempts, &caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return sent, t.alertStuck(ctx)
		}
		if err != nil {
			return sent, fmt.Errorf("tracker: send due: %w", err)
		}
		var e OutEmail
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return sent, fmt.Errorf("tracker: send due: outbox %d: %w", id, err)
		}
		// The last gate: nothing reaches the National Panel, Ofsted or the DfE unless a
		// person approved that very email.
		if held, err := t.holdIfUnapproved(ctx, id, caseID.Int64, &e); err != nil || held {
			if err != nil {
				return sent, err
			}
			continue
		}
		sendErr := s.Send(ctx, &e)
		if err := t.recordSend(ctx, id, caseID.Int64, &e, attempts+1, sendErr); err != nil {
			return sent, err
		}
		if sendErr == nil {
			sent++
			continue
		}
		if !IsPermanent(sendErr) {
			// The server is not taking mail: stop this round and let back-off work.
			return sent, t.alertStuck(ctx)
		}
	}
}

func (t *Tracker) recordSend(ctx context.Context, id, caseID int64, e *OutEmail, attempts int, sendErr error) error {
	t.noteSendState(sendErr)
	return t.tx(ctx, func(tx *sql.Tx) error {
		now := t.Now()
		if rest, rejected := splitRejected(e, sendErr); len(rejected) > 0 && len(rest.To)+len(rest.Cc) > 0 {
			// Some recipients refused for good: mark them, and send to the others (same
			// Message-ID) rather than let one dead address stop the email for everyone.
			for _, a := range rejected {
				if err := markAddress(ctx, tx, now, a, "rejected", sendErr.Error()); err != nil {
					return err
				}
			}
			body, err := json.Marshal(rest)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET email_json = ?, recipients = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`,
				string(body), strings.Join(append(append([]string{}, rest.To...), rest.Cc...), ", "), attempts, sendErr.Error(), ts(now), id); err != nil {
				return err
			}
			if err := audit(ctx, tx, now, caseID, "csprbot", "recipient_rejected", fmt.Sprintf("%s: the server refused %s; sending to the others", e.MessageID, strings.Join(rejected, ", "))); err != nil {
				return err
			}
			return t.tellStaff(ctx, tx, now, caseID, fmt.Sprintf("The mail server refused %s for the %s email %s; it was sent to the other recipients. Check the address in the directory.",
				strings.Join(rejected, ", "), e.Subject, e.MessageID), &Incoming{MessageID: "(none: csprbot's own outbox)", ReceivedAt: now})
		}
		switch {
		case sendErr == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', attempts = ?, sent_at = ?, last_error = '' WHERE id = ?`, attempts, ts(now), id); err != nil {
				return err
			}
			return audit(ctx, tx, now, caseID, "csprbot", "message_out_sent", fmt.Sprintf("%s to %s", e.MessageID, strings.Join(e.To, ", ")))
		case IsPermanent(sendErr):
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?`, attempts, sendErr.Error(), id); err != nil {
				return err
			}
			t.log.Error("outgoing mail rejected", "message_id", e.MessageID, "err", sendErr)
			return audit(ctx, tx, now, caseID, "csprbot", "message_out_failed", fmt.Sprintf("%s rejected: %v", e.MessageID, sendErr))
		default:
			var se *SendError
			if errors.As(sendErr, &se) && len(se.Rejected) > 0 {
				for _, a := range se.Rejected {
					if err := markAddress(ctx, tx, now, a, "rejected", sendErr.Error()); err != nil {
						return err
					}
				}
				if err := audit(ctx, tx, now, caseID, "csprbot", "recipient_rejected", fmt.Sprintf("%s: the server refused %s", e.MessageID, strings.Join(se.Rejected, ", "))); err != nil {
					return err
				}
			}
			next := now.Add(sendBackoff(attempts))
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`, attempts, sendErr.Error(), ts(next), id); err != nil {
				return err
			}
			return audit(ctx, tx, now, caseID, "csprbot", "message_out_retry", fmt.Sprintf("%s attempt %d failed: %v; next at %s", e.MessageID, attempts, sendErr, ts(next)))
		}
	})
}

// Outbox lists outgoing email rows (for the command line and tests).
type OutboxEntry struct {
	MessageID string
	CaseID    int64
	Agency    string
	Kind      string
	To        string
	Subject   string
	Status    string
	Attempts  int
	LastError string
}

// Outbox returns every outgoing email, oldest first.
func (s *Store) Outbox(ctx context.Context) ([]OutboxEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT message_id, coalesce(case_id, 0), agency, kind, recipients, subject, status, attempts, last_error FROM outbox ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("tracker: outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var o OutboxEntry
		if err := rows.Scan(&o.MessageID, &o.CaseID, &o.Agency, &o.Kind, &o.To, &o.Subject, &o.Status, &o.Attempts, &o.LastError); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// noteSendState logs once when the mail server stops taking mail and once when it
// takes mail again, not once per attempt (the audit trail has every attempt).
func (t *Tracker) noteSendState(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err == nil && t.sendDown:
		t.sendDown = false
		t.log.Info("outgoing mail recovered: the server is accepting mail again")
	case err != nil && !IsPermanent(err) && !t.sendDown:
		t.sendDown = true
		t.log.Warn("outgoing mail is not being accepted; retrying with back-off", "err", err)
	}
}

// holdIfUnapproved holds an email to a national body that no approved submission names.
func (t *Tracker) holdIfUnapproved(ctx context.Context, id, caseID int64, e *OutEmail) (bool, error) {
	nat := t.nationalAddrs()
	toNational := false
	for _, a := range append(append([]string{}, e.To...), e.Cc...) {
		toNational = toNational || nat[normAddr(a)]
	}
	if !toNational {
		return false, nil
	}
	var approved int
	if err := t.db.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE outbox_msgid = ? AND status = 'approved'`, e.MessageID).Scan(&approved); err != nil {
		return false, err
	}
	if approved > 0 {
		return false, nil
	}
	err := t.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'held', last_error = 'held: mail to the National Panel, Ofsted or the DfE needs an approval' WHERE id = ?`, id); err != nil {
			return err
		}
		return audit(ctx, tx, t.Now(), caseID, "csprbot", "message_out_held", e.MessageID+": to a national body without an approval; held at sending")
	})
	return true, err
}

// splitRejected separates the recipients a send failure refused permanently from the rest.
func splitRejected(e *OutEmail, sendErr error) (OutEmail, []string) {
	var se *SendError
	if !errors.As(sendErr, &se) || len(se.Rejected) == 0 {
		return *e, nil
	}
	bad := map[string]bool{}
	for _, a := range se.Rejected {
		bad[normAddr(a)] = true
	}
	rest := *e
	rest.To, rest.Cc = nil, nil
	var rejected []string
	for _, a := range e.To {
		if bad[normAddr(a)] {
			rejected = append(rejected, normAddr(a))
		} else {
			rest.To = append(rest.To, a)
		}
	}
	for _, a := range e.Cc {
		if bad[normAddr(a)] {
			rejected = append(rejected, normAddr(a))
		} else {
			rest.Cc = append(rest.Cc, a)
		}
	}
	if len(rest.To) == 0 && len(rest.Cc) > 0 {
		rest.To, rest.Cc = rest.Cc, nil
	}
	return rest, rejected
}

// Release sends an email that was held for a person (an address outside the
// configuration, a bounced or refused address, the daily cap). Mail to the National
// Panel, Ofsted or the DfE is released only by approving its submission.
func (t *Tracker) Release(ctx context.Context, messageID, actor string) error {
	messageID = strings.Trim(strings.TrimSpace(messageID), "<>")
	err := t.tx(ctx, func(tx *sql.Tx) error {
		now := t.Now()
		var id int64
		var caseID sql.NullInt64
		var status, recipients, lastErr string
		err := tx.QueryRowContext(ctx, `SELECT id, case_id, status, recipients, last_error FROM outbox WHERE message_id = ?`, messageID).
			Scan(&id, &caseID, &status, &recipients, &lastErr)
		if err != nil {
			return err
		}
		if status != "held" {
			return fmt.Errorf("%w: %s is %s, not held", ErrRefused, messageID, status)
		}
		nat := t.nationalAddrs()
		for _, a := range strings.Split(recipients, ",") {
			if nat[normAddr(a)] {
				return fmt.Errorf("%w: mail to %s goes only by approving the case's submission (csprbot case REF approve)", ErrRefused, normAddr(a))
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', next_attempt_at = ?, last_error = '' WHERE id = ?`, ts(now), id); err != nil {
			return err
		}
		return audit(ctx, tx, now, caseID.Int64, actor, "message_out_released", fmt.Sprintf("%s to %s released by %s (was: %s)", messageID, recipients, actor, lastErr))
	})
	if err != nil {
		return fmt.Errorf("tracker: release %s: %w", messageID, dbErr(err))
	}
	return nil
}
