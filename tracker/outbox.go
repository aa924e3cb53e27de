package tracker

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
	// sender is the address of the message this email answers, when the caller has
	// checked that it speaks for the case (an agency's own return): a reply to it is
	// not case material sent to a stranger.
	sender string
	// draft: a National Panel submission prepared for approval (it waits for one, which
	// is not a hold for a person to release).
	draft bool
	// summary: the one email that carries staff notices gathered past the daily cap.
	summary bool
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
	if e.Attachments, err = withContent(e.Attachments); err != nil {
		return "", err
	}
	if _, err := t.dropMarkedCopies(ctx, tx, now, m.caseID, m.tmpl, e); err != nil {
		return "", err
	}
	v, err := t.sendPolicy(ctx, tx, now, atEnqueue, policyMail{caseID: m.caseID, kind: m.tmpl, messageID: id,
		sender: m.sender, to: e.To, cc: e.Cc, draft: m.draft, summary: m.summary})
	if err != nil {
		return "", err
	}
	status, lastErr := v.status, v.why
	body, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox(message_id, case_id, agency, kind, recipients, subject, email_json, status, next_attempt_at, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, nullID(m.caseID), m.agency, m.tmpl, strings.Join(append(append([]string{}, e.To...), e.Cc...), ", "),
		e.Subject, string(body), status, ts(now), lastErr, ts(now)); err != nil {
		return "", err
	}
	if err := t.countQueued(ctx, tx, now, append(append([]string{}, e.To...), e.Cc...)); err != nil {
		return "", err
	}
	event := "message_out_queued"
	detail := fmt.Sprintf("%s to %s", m.tmpl, strings.Join(e.To, ", "))
	switch status {
	case "held":
		event, detail = "message_out_held", detail+": "+lastErr
		t.log.Warn("outgoing mail held for a person", "kind", m.tmpl, "message_id", id, "case", d.Case.Ref, "why", v.code)
	case "coalesce":
		event, detail = "message_out_coalesced", detail+": "+lastErr
	}
	return id, audit(ctx, tx, now, m.caseID, "csprbot", event, detail)
}

// dropMarkedCopies leaves off e the bounced or refused addresses that are a staff member's
// or only copied (an agency's strategic lead on a chaser), when someone else the email
// is addressed to can still have it: one colleague's dead mailbox must not silence every
// notice to the others, nor hold a chaser from the agency it is for. The rest of the
// send policy then judges what is left (a marked address the email is for still holds
// it). It returns the addresses left off, with a WARN in the log and a line in the audit.
func (t *Tracker) dropMarkedCopies(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, kind string, e *OutEmail) ([]string, error) {
	drop := map[string]bool{}
	var dropped []string
	consider := func(a string, copied bool) error {
		n := normAddr(a)
		if drop[n] {
			return nil
		}
		if _, staff := t.cfg.isStaff(n); !staff && !copied {
			return nil
		}
		why, err := addressProblem(ctx, tx, n)
		if err != nil || why == "" {
			return err
		}
		drop[n] = true
		dropped = append(dropped, n+" ("+why+")")
		return nil
	}
	for _, a := range e.To {
		if err := consider(a, false); err != nil {
			return nil, err
		}
	}
	for _, a := range e.Cc {
		if err := consider(a, true); err != nil {
			return nil, err
		}
	}
	if len(drop) == 0 {
		return nil, nil
	}
	var to, cc []string
	for _, a := range e.To {
		if !drop[normAddr(a)] {
			to = append(to, a)
		}
	}
	for _, a := range e.Cc {
		if !drop[normAddr(a)] {
			cc = append(cc, a)
		}
	}
	if len(to) == 0 {
		return nil, nil // nobody it is for is left: the send policy holds it whole
	}
	e.To, e.Cc = to, cc
	t.log.Warn("a bounced or refused staff or copied address left off an email; the others have it", "kind", kind, "message_id", e.MessageID, "left_off", len(dropped))
	return dropped, audit(ctx, tx, now, caseID, "csprbot", "message_out_recipient_dropped",
		fmt.Sprintf("%s %s: left off %s (once the address is right: csprbot address clear ADDR); sent to %s", kind, e.MessageID, strings.Join(dropped, ", "), strings.Join(append(append([]string{}, to...), cc...), ", ")))
}

// meetOnSend meets the deadline an approved email to a national body answers when it is
// sent, if the approval did not (it was held then: an address bounced, say). A deadline
// already met is left as it is.
func (t *Tracker) meetOnSend(ctx context.Context, tx *sql.Tx, at time.Time, caseID int64, msgID string) error {
	if caseID == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE outbox_msgid = ? AND status = 'approved'`, msgID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return t.meetDeadline(ctx, tx, at, caseID, "rr_submission", "", at)
	}
	var what string
	err := tx.QueryRowContext(ctx, `SELECT what FROM national_notices WHERE outbox_msgid = ? AND status = 'approved'`, msgID).Scan(&what)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return meetNoticeDeadline(ctx, t, tx, at, caseID, what)
}

// dropMarkedCopiesOf is dropMarkedCopies on the email of outbox row id, whose recipients
// and stored email are updated when an address is left off.
func (t *Tracker) dropMarkedCopiesOf(ctx context.Context, tx *sql.Tx, now time.Time, id, caseID int64, e *OutEmail) error {
	dropped, err := t.dropMarkedCopies(ctx, tx, now, caseID, "", e)
	if err != nil || len(dropped) == 0 {
		return err
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE outbox SET recipients = ?, email_json = ? WHERE id = ?`,
		strings.Join(append(append([]string{}, e.To...), e.Cc...), ", "), string(body), id)
	return err
}

// sendStage says who asks the send policy.
type sendStage int

const (
	atEnqueue sendStage = iota // a new email, as it is fixed in the outbox
	atRelease                  // a person releases a held email, or approves a submission
	atSend                     // the moment of sending (the claim)
)

// policyMail is what the send policy looks at.
type policyMail struct {
	caseID          int64
	kind, messageID string
	sender          string // the address the email answers, checked to speak for the case
	to, cc          []string
	draft, summary  bool // see outMsg
}

// verdict is the send policy's answer: status "queued" (it may go), "held" (for a person,
// why says what to do), "awaiting_approval" (a submission draft) or "coalesce" (a notice
// to staff past the daily cap: it goes in the next summary, never held).
type verdict struct {
	status, why string
	code        string // a word for the log, naming no one
}

// sendPolicy is the one rule for whether an email may go now. Enqueue, release and
// approval, and the moment of sending all ask it; what each stage checks:
//
//	                                          enqueue  release/approve  send
//	a recipient at all                           x            x           x
//	the National Panel, Ofsted, DfE: approved    x            x           x
//	no bounced or refused address                x            x           x
//	an address the configuration allows          x
//	  (or one staff added to the case)
//	case material only to vouched addresses      x
//	the daily cap per address                    x
//
// Release and approval are a person's decision, which stands for the checks only enqueue
// makes; a bounced or refused address is cleared first (csprbot address clear ADDR),
// and mail to a national body goes only by approving its submission. Notices to staff
// (every recipient is staff) are never held by the daily cap, which exists to stop loops
// with outside addresses: past it they are gathered into one summary (coalesce).
func (t *Tracker) sendPolicy(ctx context.Context, tx *sql.Tx, now time.Time, stage sendStage, m policyMail) (verdict, error) {
	all := append(append([]string{}, m.to...), m.cc...)
	if len(m.to) == 0 {
		return verdict{"held", "held for a person: no recipient", "no_recipient"}, nil
	}
	if nat := t.nationalAddrs(); !m.draft {
		for _, a := range all {
			if !nat[normAddr(a)] {
				continue
			}
			var approved int
			if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM submissions WHERE outbox_msgid = ?1 AND status = 'approved') + (SELECT count(*) FROM national_notices WHERE outbox_msgid = ?1 AND status = 'approved')`, m.messageID).Scan(&approved); err != nil {
				return verdict{}, err
			}
			if approved == 0 {
				return verdict{"held", "held: mail to the National Panel, Ofsted or the DfE needs an approval (csprbot case REF approve)", "national_unapproved"}, nil
			}
			break
		}
	}
	var marked []string
	for _, a := range all {
		why, err := addressProblem(ctx, tx, a)
		if err != nil {
			return verdict{}, err
		}
		if why != "" {
			marked = append(marked, fmt.Sprintf("%s: %s", normAddr(a), why))
		}
	}
	if len(marked) > 0 {
		return verdict{"held", "held for a person: " + strings.Join(marked, "; ") + " (once the address is right: csprbot address clear ADDR --release)", "address_marked"}, nil
	}
	if m.draft {
		return verdict{status: "awaiting_approval"}, nil
	}
	if stage != atEnqueue {
		return verdict{status: "queued"}, nil
	}
	var notAllowed []string
	for _, a := range all {
		if t.allow.allowed(a) {
			continue
		}
		// An address staff added to this case by command is one a person chose.
		if ok, err := t.staffVouched(ctx, tx, m.caseID, a); err != nil {
			return verdict{}, err
		} else if !ok {
			notAllowed = append(notAllowed, a)
		}
	}
	if len(notAllowed) > 0 {
		return verdict{"held", "held for a person: not an address the configuration allows: " + strings.Join(notAllowed, ", "), "not_allowed"}, nil
	}
	if m.caseID != 0 {
		var unvouched []string
		for _, a := range all {
			ok, err := t.vouched(ctx, tx, m.caseID, a)
			if err != nil {
				return verdict{}, err
			}
			if !ok && normAddr(a) != normAddr(m.sender) {
				unvouched = append(unvouched, a)
			}
		}
		if len(unvouched) > 0 {
			return verdict{"held", "held for a person: case material to an address nobody vouched for (not staff, the directory or added by command): " + strings.Join(unvouched, ", "), "unvouched"}, nil
		}
	}
	if m.summary {
		return verdict{status: "queued"}, nil
	}
	toStaff := true
	var over []string
	for _, a := range all {
		_, staff := t.cfg.isStaff(a)
		toStaff = toStaff && staff
		o, err := t.overDailyCap(ctx, tx, now, a)
		if err != nil {
			return verdict{}, err
		}
		if o {
			over = append(over, normAddr(a))
		}
	}
	switch {
	case len(over) == 0:
		return verdict{status: "queued"}, nil
	case toStaff && !coalescible(m.kind):
		// An invitation, the papers, a draft, a command's answer (which a Confirm by
		// reply needs as itself): to staff it is never held by the cap, and a summary's
		// text would lose what it is.
		return verdict{status: "queued"}, nil
	case toStaff:
		return verdict{"coalesce", fmt.Sprintf("past %d emails today to %s: goes in the next summary of notices to staff", MaxPerAddressPerDay, strings.Join(over, ", ")), "coalesced"}, nil
	}
	return verdict{"held", fmt.Sprintf("held for a person: over %d emails today: %s (a loop or a flood?)", MaxPerAddressPerDay, strings.Join(over, ", ")), "daily_cap"}, nil
}

// coalescible reports whether an email of kind may go in the summary of notices to staff
// past the daily cap: only plain notices (something needs a person, a new referral) may.
func coalescible(kind string) bool {
	return kind == TmplStaffAttention || kind == TmplStaffNewReferral
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

// MaxInterrupted is how many times an email may be found still 'sending' by a later
// csprbot, each time left so by one that stopped (a crash, a kill) inside its SMTP
// conversation, and be sent again with the same Message-ID and bytes. At that count it is
// held for a person instead: an email that keeps stopping the sender, or a crash loop.
// Five, as for a poison message (QuarantineAfterAny): restarts that merely land inside an
// SMTP conversation (the crash harness kills at random, a loaded machine sends slowly)
// must not hold ordinary mail.
const MaxInterrupted = 5

// sendOutcome is one claimed email and what the server said.
type sendOutcome struct {
	id, caseID int64
	by         string // the sender that claimed it (outbox.claimed_by)
	e          *OutEmail
	attempts   int       // counting this one
	at         time.Time // when the server answered
	err        error     // nil: the server accepted it
}

// outboxState is what the sender remembers between rounds.
type outboxState struct {
	mu     sync.Mutex // one SendDue at a time in this process
	name   string     // this sender's name in outbox.claimed_by
	unlock func()     // the send lock, kept while an outcome waits to be recorded
	// Emails sent (or refused) whose outcome the store has not taken yet. Each stays
	// 'sending' in the store, so nothing sends it again, until it is recorded.
	pending []sendOutcome
}

// SendDue sends every queued email whose time has come, oldest first, and returns how
// many were sent.
//
// Each email is claimed before the SMTP conversation, in a committed transaction that
// marks it 'sending' and counts the attempt: a store that cannot be written (locked by
// another process, a full disk) sends nothing. The outcome is recorded after; if the
// store cannot take it, it is kept in memory and recorded first in later rounds, which
// send nothing else until it is, and the email is never sent again meanwhile. An email a
// later csprbot finds still 'sending' was interrupted by a crash inside its SMTP window:
// the server may have it. It is sent again with the same Message-ID and bytes (receivers
// can de-duplicate; the one window SMTP leaves open), up to MaxInterrupted times, then
// held for a person.
//
// One sender at a time works through the outbox: another SendDue on the same store (in
// this process or another, such as `csprbot run --once` beside the daemon) returns at once
// instead of sending the same emails again. The lock is the kernel's, so a process that
// dies holding it releases it; a sender with an unrecorded outcome keeps it.
func (t *Tracker) SendDue(ctx context.Context, s Sender) (int, error) {
	if err := t.CheckFile(); err != nil {
		return 0, fmt.Errorf("tracker: send due: %w", err)
	}
	if !t.out.mu.TryLock() {
		return 0, nil // another round in this process is at work
	}
	defer t.out.mu.Unlock()
	if t.out.unlock == nil {
		unlock, ok, err := t.lockSending()
		if err != nil {
			return 0, fmt.Errorf("tracker: send due: %w", err)
		}
		if !ok {
			return 0, nil
		}
		t.out.unlock = unlock
	}
	defer func() {
		if len(t.out.pending) == 0 {
			t.out.unlock()
			t.out.unlock = nil
		}
	}()
	if t.out.name == "" {
		t.out.name = randomHex(8)
	}
	for len(t.out.pending) > 0 {
		c := t.out.pending[0]
		if err := t.recordSend(ctx, &c); err != nil {
			return 0, fmt.Errorf("tracker: send due: %d email(s) went to the server but their outcome is not recorded yet, so nothing more is sent: %w", len(t.out.pending), err)
		}
		t.out.pending = t.out.pending[1:]
	}
	// Outcomes an earlier csprbot (or this one) could not record before it stopped.
	if err := t.replayOutcomes(ctx); err != nil {
		return 0, fmt.Errorf("tracker: send due: %w", err)
	}
	if err := t.recoverInterrupted(ctx); err != nil {
		return 0, fmt.Errorf("tracker: send due: %w", err)
	}
	if err := t.catchUpClock(ctx); err != nil {
		return 0, fmt.Errorf("tracker: send due: %w", err)
	}
	if err := t.flushCoalesced(ctx); err != nil {
		return 0, fmt.Errorf("tracker: send due: %w", err)
	}
	sent := 0
	for {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		var id int64
		err := t.db.QueryRowContext(ctx, `SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?
			ORDER BY next_attempt_at, id LIMIT 1`, ts(t.Now())).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return sent, t.alertStuck(ctx)
		}
		if err != nil {
			return sent, fmt.Errorf("tracker: send due: %w", err)
		}
		c, err := t.claim(ctx, id)
		if err != nil {
			return sent, fmt.Errorf("tracker: send due: claim: %w", err)
		}
		if c == nil {
			continue // held at the last gate, or no longer queued
		}
		c.err = s.Send(ctx, c.e)
		c.at = t.Now()
		if c.err == nil {
			sent++
		}
		// Recorded even if ctx was cancelled meanwhile (a shutdown during the conversation).
		if err := t.recordSend(context.WithoutCancel(ctx), c); err != nil {
			t.out.pending = append(t.out.pending, *c)
			jerr := t.journalOutcome(c)
			t.log.Error("an email went to the mail server but the store did not take the outcome; it is not sent again, and nothing else is sent, until that is recorded",
				"message_id", c.e.MessageID, "accepted", c.err == nil, "err", err, "journal", t.sidecar(outcomeJournal), "journal_err", jerr)
			return sent, fmt.Errorf("tracker: send due: record the outcome of %s: %w", c.e.MessageID, err)
		}
		if c.err != nil && !IsPermanent(c.err) {
			// The server is not taking mail: stop this round and let back-off work.
			return sent, t.alertStuck(ctx)
		}
	}
}

// CoalesceEvery is how often notices to staff past the daily cap go, gathered in one
// summary: the first waits at most this long.
const CoalesceEvery = time.Hour

// flushCoalesced sends, once the oldest has waited CoalesceEvery, the notices to staff
// gathered past the daily cap: one summary per set of recipients, carrying each notice's
// subject and text, in the transaction that marks them 'coalesced' (so each reaches staff
// once, in the summary). Past the cap, "12 new referrals" is one email, not 12 held.
func (t *Tracker) flushCoalesced(ctx context.Context) error {
	now := t.Now()
	type member struct {
		id, caseID   int64
		msgID, about string // about: the message a notice on no case is about ("Open case" by reply)
		e            OutEmail
	}
	groups := map[string][]member{}
	var order []string
	oldest := map[string]time.Time{}
	// Which recipients' summaries are due, from each group's first notice, without
	// decoding any: the notices themselves are read only for a summary that goes now
	// (read every round, a morning's backlog of them cost more than the intake). The
	// first query reads no column after recipients (status comes from the outbox_due
	// index), so not the JSON either; then one row per recipient for its time. With the
	// outbox_coalesce index (schema 41) it reads only that.
	firsts := map[string]int64{}
	drows, err := t.db.QueryContext(ctx, `SELECT recipients, min(id) FROM outbox INDEXED BY outbox_coalesce WHERE status = 'coalesce' GROUP BY recipients`)
	if err != nil && strings.Contains(err.Error(), "no such index") {
		// A store that was past schema 41 before that migration existed.
		drows, err = t.db.QueryContext(ctx, `SELECT recipients, min(id) FROM outbox WHERE status = 'coalesce' GROUP BY recipients`)
	}
	if err != nil {
		return err
	}
	for drows.Next() {
		var rcpt string
		var first int64
		if err := drows.Scan(&rcpt, &first); err != nil {
			drows.Close()
			return err
		}
		firsts[rcpt] = first
	}
	drows.Close()
	if err := drows.Err(); err != nil {
		return err
	}
	due := map[string]bool{}
	for rcpt, first := range firsts {
		var created string
		if err := t.db.QueryRowContext(ctx, `SELECT created_at FROM outbox WHERE id = ?`, first).Scan(&created); err != nil {
			return err
		}
		o, _ := time.Parse(time.RFC3339, created)
		if now.Sub(o) >= CoalesceEvery || o.After(now) {
			due[rcpt] = true
		}
	}
	if len(due) == 0 {
		return nil
	}
	rows, err := t.db.QueryContext(ctx, `SELECT id, coalesce(case_id, 0), message_id, about_message, recipients, email_json, created_at FROM outbox
		WHERE status = 'coalesce' ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m member
		var rcpt, body, created string
		var about sql.NullString
		if err := rows.Scan(&m.id, &m.caseID, &m.msgID, &about, &rcpt, &body, &created); err != nil {
			rows.Close()
			return err
		}
		if !due[rcpt] {
			continue
		}
		m.about = about.String
		_ = json.Unmarshal([]byte(body), &m.e)
		if _, ok := groups[rcpt]; !ok {
			order = append(order, rcpt)
			oldest[rcpt], _ = time.Parse(time.RFC3339, created)
		}
		groups[rcpt] = append(groups[rcpt], m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, rcpt := range order {
		if now.Sub(oldest[rcpt]) < CoalesceEvery && !oldest[rcpt].After(now) {
			continue
		}
		ms := groups[rcpt]
		err := t.tx(ctx, func(tx *sql.Tx) error {
			// A notice about a message on no case offers "Open case" by reply. One such
			// notice in the summary: the summary is about that message, so "Open case" in
			// reply to it opens the case. More than one (a flood from a stranger, say):
			// still one summary, which says that a reply cannot choose among them.
			var about string
			var triage int
			for _, m := range ms {
				if m.about != "" {
					triage++
					about = m.about
				}
			}
			if triage > 1 {
				about = ""
			}
			lines := []string{}
			for i, m := range ms {
				text := strings.TrimSpace(m.e.Text)
				if len(text) > 6000 {
					text = text[:6000] + "\n[…]"
				}
				lines = append(lines, fmt.Sprintf("——— %d of %d: %s", i+1, len(ms), m.e.Subject), text, "")
			}
			reason := fmt.Sprintf("csprbot has sent %d emails to you today, its limit for any one address, so the %d notices since then are gathered here in one email instead of %d (the limit is there to stop mail loops with outside addresses; notices to staff are never held by it). Reply to a notice itself is not possible for these: use csprbot case REF on the command line, or reply to this email.",
				MaxPerAddressPerDay, len(ms), len(ms))
			switch {
			case triage == 1:
				reason += " One of them is about a message csprbot could not tie to a case: to open a case from it, reply to this email with the line Open case."
			case triage > 1:
				reason += fmt.Sprintf(" %d of them are about messages csprbot could not tie to a case: Open case in reply to this email cannot say which, so forward the one that is a referral to csprbot as a new email.", triage)
			}
			id, err := t.enqueue(ctx, tx, now, outMsg{tmpl: TmplStaffAttention, to: strings.Split(rcpt, ", "), summary: true,
				data: &MailData{Reason: reason, Lines: lines}})
			if err != nil {
				return err
			}
			if about != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE outbox SET about_message = ? WHERE message_id = ?`, about, id); err != nil {
					return err
				}
			}
			for _, m := range ms {
				res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'coalesced', last_error = ?, stuck_alerted = 2 WHERE id = ? AND status = 'coalesce'`,
					"sent within the summary "+id, m.id)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return fmt.Errorf("coalesced notice %s changed meanwhile", m.msgID)
				}
			}
			t.log.Warn("notices to staff past the daily cap sent as one summary", "notices", len(ms), "summary", id)
			return audit(ctx, tx, now, 0, "csprbot", "staff_notices_coalesced", fmt.Sprintf("%d notices to %s past the daily cap sent in one summary %s", len(ms), rcpt, id))
		})
		if err != nil {
			return fmt.Errorf("coalesce staff notices: %w", err)
		}
	}
	return nil
}

// claim marks one queued email 'sending' in a committed transaction and returns it, or
// nil if it is no longer queued or the last gate held it.
func (t *Tracker) claim(ctx context.Context, id int64) (*sendOutcome, error) {
	var c *sendOutcome
	err := t.tx(ctx, func(tx *sql.Tx) error {
		c = nil
		now := t.Now()
		var status, body string
		var attempts int
		var caseID sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT status, email_json, attempts, case_id FROM outbox WHERE id = ?`, id).
			Scan(&status, &body, &attempts, &caseID); err != nil {
			return err
		}
		if status != "queued" {
			return nil
		}
		var e OutEmail
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			// Never sendable: fail it (staff are told) rather than stop every later email.
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?`, "unreadable outbox row: "+err.Error(), id); err != nil {
				return err
			}
			return audit(ctx, tx, now, caseID.Int64, "csprbot", "message_out_failed", fmt.Sprintf("outbox row %d unreadable: %v", id, err))
		}
		// The last gate, the send policy at the moment of sending: nothing reaches the
		// National Panel, Ofsted or the DfE unless a person approved that very email, and
		// nothing goes to an address that bounced or was refused since it was queued.
		if held, err := t.holdAtSend(ctx, tx, now, id, caseID.Int64, &e); err != nil || held {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sending', attempts = ?, claimed_at = ?, claimed_by = ? WHERE id = ?`,
			attempts+1, ts(now), t.out.name, id); err != nil {
			return err
		}
		c = &sendOutcome{id: id, caseID: caseID.Int64, by: t.out.name, e: &e, attempts: attempts + 1}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// recoverInterrupted deals with emails left 'sending' by a csprbot that stopped inside
// their SMTP conversation (this sender holds the send lock, so no live sender owns them,
// and none is among this sender's own unrecorded outcomes).
func (t *Tracker) recoverInterrupted(ctx context.Context) error {
	type row struct {
		id, caseID       int64
		msgID, by, since string
		maybe            int
	}
	rows, err := t.db.QueryContext(ctx, `SELECT id, coalesce(case_id, 0), message_id, claimed_by, coalesce(claimed_at, ''), maybe_sent
		FROM outbox WHERE status = 'sending' ORDER BY id`)
	if err != nil {
		return err
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.caseID, &r.msgID, &r.by, &r.since, &r.maybe); err != nil {
			rows.Close()
			return err
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range list {
		if slices.ContainsFunc(t.out.pending, func(c sendOutcome) bool { return c.id == r.id }) {
			continue
		}
		err := t.tx(ctx, func(tx *sql.Tx) error {
			now := t.Now()
			n := r.maybe + 1
			status, event := "queued", "message_out_interrupted"
			why := fmt.Sprintf("csprbot stopped while sending this email (claimed %s), so the server may have it: sent again with the same Message-ID and content", r.since)
			if n >= MaxInterrupted {
				status, event = "held", "message_out_held"
				why = fmt.Sprintf("held for a person: csprbot stopped %d times while sending this email, so the server may have it already: check with the recipients, then release it or leave it", n)
			}
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, maybe_sent = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'sending' AND claimed_by = ?`,
				status, n, ts(now), why, r.id, r.by)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil
			}
			t.log.Warn("outgoing mail interrupted while sending", "message_id", r.msgID, "times", n, "now", status)
			return audit(ctx, tx, now, r.caseID, "csprbot", event, r.msgID+": "+why)
		})
		if err != nil {
			return fmt.Errorf("interrupted email %s: %w", r.msgID, err)
		}
	}
	return nil
}

// catchUpClock brings back queued mail whose times lie ahead of the clock because the
// clock was moved back: without it the mail would wait until the clock caught up (hours,
// perhaps), and its unsent-mail alert with it. Each email's next attempt becomes now plus
// its own back-off at most, and its waiting time for the alert starts again from now.
// Both reads go through an index and find nothing unless the clock did move back.
func (t *Tracker) catchUpClock(ctx context.Context) error {
	now := t.Now()
	rows, err := t.db.QueryContext(ctx, `SELECT id, attempts, next_attempt_at, '' FROM outbox WHERE status = 'queued' AND next_attempt_at > ?
		UNION ALL
		SELECT id, 0, '', waiting_since FROM outbox WHERE stuck_alerted = 0 AND status = 'queued' AND waiting_since > ?`, ts(now), ts(now))
	if err != nil {
		return err
	}
	type fix struct {
		id          int64
		next, since string
	}
	var fixes []fix
	for rows.Next() {
		var id int64
		var attempts int
		var next, since string
		if err := rows.Scan(&id, &attempts, &next, &since); err != nil {
			rows.Close()
			return err
		}
		if since != "" {
			fixes = append(fixes, fix{id: id, since: ts(now)})
			continue
		}
		bound := now
		if attempts > 0 {
			bound = now.Add(sendBackoff(attempts))
		}
		if nt, err := time.Parse(time.RFC3339, next); err == nil && nt.After(bound) {
			fixes = append(fixes, fix{id: id, next: ts(bound)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(fixes) == 0 {
		return err
	}
	t.log.Warn("the clock is behind queued mail (moved back?): its back-off and unsent-mail alert start again from now", "emails", len(fixes), "now", ts(now))
	return t.tx(ctx, func(tx *sql.Tx) error {
		for _, f := range fixes {
			q, v := `UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'queued'`, f.next
			if f.since != "" {
				q, v = `UPDATE outbox SET waiting_since = ? WHERE id = ? AND status = 'queued'`, f.since
			}
			if _, err := tx.ExecContext(ctx, q, v, f.id); err != nil {
				return err
			}
		}
		return audit(ctx, tx, now, 0, "csprbot", "clock_behind", fmt.Sprintf("the clock (%s) is behind %d queued emails' times: their back-off and unsent-mail alert start again from now", ts(now), len(fixes)))
	})
}

// recordSend records what the server said about a claimed email. It changes nothing if the
// email is no longer this sender's claim (it was settled otherwise meanwhile). If the full
// record fails for a reason other than the store (a notice to staff that cannot be
// rendered, say), the bare outcome is recorded instead: an email left 'sending' would hold
// up every later one, and one sent again blindly is the duplicate claims exist to prevent.
func (t *Tracker) recordSend(ctx context.Context, c *sendOutcome) error {
	t.noteSendState(c.err)
	err := t.recordOutcome(ctx, c)
	if err == nil || storeUnavailable(err) {
		return err
	}
	t.log.Error("recording an email's outcome failed; recording it bare", "message_id", c.e.MessageID, "err", err)
	return t.tx(ctx, func(tx *sql.Tx) error {
		now := t.Now()
		var status, by string
		if err := tx.QueryRowContext(ctx, `SELECT status, claimed_by FROM outbox WHERE id = ?`, c.id).Scan(&status, &by); err != nil {
			return err
		}
		if status != "sending" || by != c.by {
			return nil
		}
		next, lastErr := ts(now), ""
		switch {
		case c.err == nil:
			status = "sent"
		case IsMessageRefused(c.err):
			status, lastErr = "failed", refusedPrefix+c.err.Error()
		case IsPermanent(c.err):
			status, lastErr = "failed", c.err.Error()
		default:
			status, lastErr, next = "queued", c.err.Error(), ts(now.Add(sendBackoff(c.attempts)))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?`,
			status, c.attempts, lastErr, next, status, ts(c.at), c.id); err != nil {
			return err
		}
		return audit(ctx, tx, now, c.caseID, "csprbot", "message_out_recorded_bare", fmt.Sprintf("%s: %s (what should have come with it failed: %v)", c.e.MessageID, status, err))
	})
}

// recordOutcome records an outcome with everything that follows from it: refused
// addresses marked, staff told, back-off.
func (t *Tracker) recordOutcome(ctx context.Context, c *sendOutcome) error {
	id, caseID, e, attempts, sendErr := c.id, c.caseID, c.e, c.attempts, c.err
	return t.tx(ctx, func(tx *sql.Tx) error {
		now := t.Now()
		var status, by string
		if err := tx.QueryRowContext(ctx, `SELECT status, claimed_by FROM outbox WHERE id = ?`, id).Scan(&status, &by); err != nil {
			return err
		}
		if status != "sending" || by != c.by {
			return nil
		}
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
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', email_json = ?, recipients = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`,
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
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', attempts = ?, sent_at = ?, last_error = '' WHERE id = ?`, attempts, ts(c.at), id); err != nil {
				return err
			}
			if err := t.meetOnSend(ctx, tx, c.at, caseID, e.MessageID); err != nil {
				return err
			}
			return audit(ctx, tx, now, caseID, "csprbot", "message_out_sent", fmt.Sprintf("%s to %s", e.MessageID, strings.Join(e.To, ", ")))
		case IsMessageRefused(sendErr):
			return t.recordRefused(ctx, tx, now, c)
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
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`, attempts, sendErr.Error(), ts(next), id); err != nil {
				return err
			}
			return audit(ctx, tx, now, caseID, "csprbot", "message_out_retry", fmt.Sprintf("%s attempt %d failed: %v; next at %s", e.MessageID, attempts, sendErr, ts(next)))
		}
	})
}

// refusedPrefix begins the last_error of an email the server refused for what it is
// (its size, form or content; or it could not be built), not for whom it was to: its
// recipients are never marked for it (alertStuck reads this).
const refusedPrefix = "refused for the message itself, not its recipients: "

// recordRefused records an email the server refused for the message itself. Retrying
// cannot help and nobody outside will hear of it, and its recipients did nothing wrong:
// they are not marked, so later mail to them goes as usual. It is an error for staff,
// told at once (not by the stuck-mail alert later): a notice by email, the audit trail
// and the log at ERROR. A notice to staff that is itself refused is not answered with
// another notice (which the server might refuse again, and again): the log and audit
// carry it.
func (t *Tracker) recordRefused(ctx context.Context, tx *sql.Tx, now time.Time, c *sendOutcome) error {
	var kind string
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM outbox WHERE id = ?`, c.id).Scan(&kind); err != nil {
		return err
	}
	alerted := 1
	if kind == TmplStaffAttention {
		alerted = 2
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', attempts = ?, last_error = ?, stuck_alerted = ? WHERE id = ?`,
		c.attempts, refusedPrefix+c.err.Error(), alerted, c.id); err != nil {
		return err
	}
	t.log.Error("the mail server refused an email for its content or form (not its recipients): it will not be retried; staff are told",
		"message_id", c.e.MessageID, "kind", kind, "err", c.err)
	what := fmt.Sprintf("The mail server refused the %s email %q to %s for the message itself (its size, form or content, not its recipients): %v. It will not be sent as it is. Send what it carried another way (smaller attachments, or by hand), and tell the administrator.",
		kind, c.e.Subject, strings.Join(append(append([]string{}, c.e.To...), c.e.Cc...), ", "), c.err)
	if err := audit(ctx, tx, now, c.caseID, "csprbot", "message_out_refused", c.e.MessageID+": "+what); err != nil {
		return err
	}
	if kind == TmplStaffAttention {
		return nil
	}
	return t.tellStaff(ctx, tx, now, c.caseID, what, &Incoming{MessageID: "(none: csprbot's own outbox)", ReceivedAt: now})
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

// holdAtSend asks the send policy about an email about to be sent, and holds it for a
// person if it may not go.
func (t *Tracker) holdAtSend(ctx context.Context, tx *sql.Tx, now time.Time, id, caseID int64, e *OutEmail) (bool, error) {
	// A staff or copied address that bounced since this was queued is left off, as at
	// enqueue, and the row says so.
	if err := t.dropMarkedCopiesOf(ctx, tx, now, id, caseID, e); err != nil {
		return false, err
	}
	v, err := t.sendPolicy(ctx, tx, now, atSend, policyMail{caseID: caseID, messageID: e.MessageID, to: e.To, cc: e.Cc})
	if err != nil || v.status == "queued" {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'held', last_error = ? WHERE id = ?`, v.why, id); err != nil {
		return false, err
	}
	t.log.Warn("outgoing mail held for a person at sending", "message_id", e.MessageID, "why", v.code)
	return true, audit(ctx, tx, now, caseID, "csprbot", "message_out_held", e.MessageID+": held at sending: "+v.why)
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
	err := t.tx(ctx, func(tx *sql.Tx) error { return t.release(ctx, tx, t.Now(), messageID, actor) })
	if err != nil {
		return fmt.Errorf("tracker: release %s: %w", messageID, dbErr(err))
	}
	return nil
}

// release is Release inside tx.
func (t *Tracker) release(ctx context.Context, tx *sql.Tx, now time.Time, messageID, actor string) error {
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
	// Held whole for a bounced staff or copied address (as before such an address was
	// left off at enqueue): released, it goes to the others.
	var body string
	if err := tx.QueryRowContext(ctx, `SELECT email_json FROM outbox WHERE id = ?`, id).Scan(&body); err != nil {
		return err
	}
	var e OutEmail
	if json.Unmarshal([]byte(body), &e) == nil {
		if err := t.dropMarkedCopiesOf(ctx, tx, now, id, caseID.Int64, &e); err != nil {
			return err
		}
		recipients = strings.Join(append(append([]string{}, e.To...), e.Cc...), ", ")
	}
	var to []string
	for _, a := range strings.Split(recipients, ",") {
		if a = normAddr(a); a != "" {
			to = append(to, a)
		}
	}
	v, err := t.sendPolicy(ctx, tx, now, atRelease, policyMail{caseID: caseID.Int64, messageID: messageID, to: to})
	if err != nil {
		return err
	}
	if v.status != "queued" {
		return fmt.Errorf("%w: %s cannot be released: %s", ErrRefused, messageID, strings.TrimPrefix(strings.TrimPrefix(v.why, "held for a person: "), "held: "))
	}
	// Watched afresh: if it cannot go now either, staff hear of it after StuckAfter.
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'queued', next_attempt_at = ?, last_error = '', waiting_since = ?,
		stuck_alerted = CASE WHEN kind = ? THEN 2 ELSE 0 END WHERE id = ?`, ts(now), ts(now), TmplStaffAttention, id); err != nil {
		return err
	}
	return audit(ctx, tx, now, caseID.Int64, actor, "message_out_released", fmt.Sprintf("%s to %s released by %s (was: %s)", messageID, recipients, actor, lastErr))
}

// outcomeJournal is the file beside the store (its real path) that keeps the outcome of
// an email the store could not take just after the server answered (the store locked by
// another process, a full disk): owner-only, one JSON line per outcome, fsynced before
// SendDue returns. A csprbot that then stops in the ordinary way (run --once returning its
// error, SIGTERM) loses nothing: the next SendDue on the store, holding the send lock,
// records it before anything else, where it would otherwise take the email, still
// 'sending', for one interrupted by a crash and send it again.
const outcomeJournal = "-outcomes"

// journalEntry is one outcome in the journal.
type journalEntry struct {
	Store     string   `json:"store"` // settings.store_id: never replayed into another store
	Row       int64    `json:"row"`
	MessageID string   `json:"message_id"`
	By        string   `json:"claimed_by"`
	Attempts  int      `json:"attempts"`
	At        string   `json:"at"`
	Accepted  bool     `json:"accepted"`
	Err       string   `json:"err,omitempty"`
	Permanent bool     `json:"permanent,omitempty"`
	Refused   bool     `json:"message_refused,omitempty"`
	Rejected  []string `json:"rejected,omitempty"`
}

// journalOutcome appends c to the journal and syncs it (and, when it creates the file,
// its folder).
func (t *Tracker) journalOutcome(c *sendOutcome) error {
	j := journalEntry{Store: t.storeID, Row: c.id, MessageID: c.e.MessageID, By: c.by, Attempts: c.attempts,
		At: c.at.UTC().Format(time.RFC3339Nano), Accepted: c.err == nil}
	if c.err != nil {
		j.Err = c.err.Error()
		var se *SendError
		if errors.As(c.err, &se) {
			j.Err, j.Permanent, j.Refused, j.Rejected = se.Err.Error(), se.Permanent, se.MessageRefused, se.Rejected
		}
	}
	line, err := json.Marshal(j)
	if err != nil {
		return err
	}
	path := t.sidecar(outcomeJournal)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if statErr != nil {
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			err = d.Sync()
			d.Close()
			return err
		}
	}
	return nil
}

// replayOutcomes records the journal's outcomes that the store has not taken yet (their
// row still 'sending' under the same claim and attempt), then removes the journal. The
// caller holds the send lock. An outcome it cannot record now stops the round, as an
// unrecorded outcome in memory does; a line it cannot read (a write cut short) or from
// another store is dropped with a warning (its email, if still 'sending', is then taken
// for one interrupted by a crash).
func (t *Tracker) replayOutcomes(ctx context.Context) error {
	path := t.sidecar(outcomeJournal)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the outcome journal: %w", err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var j journalEntry
		if err := json.Unmarshal(line, &j); err != nil {
			t.log.Warn("outcome journal: a line that cannot be read, dropped", "journal", path, "err", err)
			continue
		}
		if j.Store != t.storeID {
			t.log.Warn("outcome journal: an outcome recorded for another store, dropped", "journal", path, "message_id", j.MessageID, "store", j.Store)
			continue
		}
		var status, by, body string
		var attempts int
		var caseID sql.NullInt64
		err := t.db.QueryRowContext(ctx, `SELECT status, claimed_by, attempts, email_json, case_id FROM outbox WHERE id = ? AND message_id = ?`, j.Row, j.MessageID).
			Scan(&status, &by, &attempts, &body, &caseID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("outcome journal: %w", err)
		}
		if status != "sending" || by != j.By || attempts != j.Attempts {
			continue // recorded already, or settled otherwise
		}
		var e OutEmail
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return fmt.Errorf("outcome journal: outbox row %d: %w", j.Row, err)
		}
		c := sendOutcome{id: j.Row, caseID: caseID.Int64, by: j.By, e: &e, attempts: j.Attempts}
		c.at, _ = time.Parse(time.RFC3339Nano, j.At)
		if !j.Accepted {
			var inner error = errors.New(j.Err)
			if j.Permanent || j.Refused || len(j.Rejected) > 0 {
				inner = &SendError{Permanent: j.Permanent, MessageRefused: j.Refused, Rejected: j.Rejected, Err: inner}
			}
			c.err = inner
		}
		if err := t.recordSend(ctx, &c); err != nil {
			return fmt.Errorf("the outcome of %s (sent before csprbot last stopped) is in %s but the store does not take it yet, so nothing more is sent: %w", j.MessageID, path, err)
		}
		t.log.Info("outcome journal: an email's outcome recorded after csprbot stopped without it", "message_id", j.MessageID, "accepted", j.Accepted)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("outcome journal: %w", err)
	}
	return nil
}

// Close records what the sender still holds in memory (outcomes the store would not
// take; each is in the journal too, if that could be written) and closes the store.
func (t *Tracker) Close() error {
	if t.out.mu.TryLock() {
		for len(t.out.pending) > 0 {
			c := t.out.pending[0]
			if err := t.recordSend(context.Background(), &c); err != nil {
				t.log.Error("closing with email outcomes the store did not take; they are in the outcome journal if it could be written",
					"emails", len(t.out.pending), "journal", t.sidecar(outcomeJournal), "err", err)
				break
			}
			t.out.pending = t.out.pending[1:]
		}
		if len(t.out.pending) == 0 && t.out.unlock != nil {
			t.out.unlock()
			t.out.unlock = nil
		}
		t.out.mu.Unlock()
	}
	return t.Store.Close()
}
