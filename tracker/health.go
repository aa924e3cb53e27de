package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// bounce handles a delivery status notification: tie it to the email it bounces (only
// through our own signed Message-ID), mark the failed addresses so nothing more is sent
// to them without a person, and tell staff. A bounce is never answered.
func (t *Tracker) bounce(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, res *IngestResult) error {
	res.Disposition = DispAuto
	orig := strings.Trim(strings.TrimSpace(in.BounceOf), "<>")
	var caseID sql.NullInt64
	var kind, agency, recipients string
	if orig != "" && t.verifyMessageID(orig) {
		err := tx.QueryRowContext(ctx, `SELECT case_id, kind, agency, recipients FROM outbox WHERE message_id = ?`, orig).Scan(&caseID, &kind, &agency, &recipients)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if !caseID.Valid && kind == "" {
		// Not about anything we sent (or forged): recorded only.
		return audit(ctx, tx, now, 0, normAddr(in.From), "bounce_unmatched", "delivery failure report not tied to any email csprbot sent; recorded")
	}
	// Only addresses the bounced email was really sent to: a report naming others (anyone
	// who saw one of our Message-IDs could write one) must not shut off mail to them.
	sentTo := map[string]bool{}
	for _, a := range strings.Split(recipients, ",") {
		sentTo[normAddr(a)] = true
	}
	var failed []string
	for _, a := range in.BounceRecipients {
		if sentTo[normAddr(a)] {
			failed = append(failed, normAddr(a))
		}
	}
	if len(in.BounceRecipients) == 0 {
		failed = strings.Split(recipients, ", ")
	}
	if len(failed) == 0 {
		return audit(ctx, tx, now, caseID.Int64, normAddr(in.From), "bounce_unmatched",
			fmt.Sprintf("delivery failure report about %s names none of its recipients (%s); recorded", orig, strings.Join(in.BounceRecipients, ", ")))
	}
	for _, a := range failed {
		if err := markAddress(ctx, tx, now, a, "bounced", in.BounceDetail); err != nil {
			return err
		}
	}
	if ref := ""; caseID.Valid {
		_ = tx.QueryRowContext(ctx, `SELECT ref FROM cases WHERE id = ?`, caseID.Int64).Scan(&ref)
		res.CaseRef, res.Agency = ref, agency
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'bounced', last_error = ? WHERE message_id = ?`,
		"bounced: "+strings.Join(failed, ", ")+" "+in.BounceDetail, orig); err != nil {
		return err
	}
	detail := fmt.Sprintf("%s to %s bounced (%s); address marked, nothing more goes to it without a person", kind, strings.Join(failed, ", "), strings.TrimSpace(in.BounceDetail))
	if err := audit(ctx, tx, now, caseID.Int64, normAddr(in.From), "bounce", detail); err != nil {
		return err
	}
	return t.tellStaff(ctx, tx, now, caseID.Int64, "An email csprbot sent could not be delivered: "+detail+". Check the address in the directory.", in)
}

func markAddress(ctx context.Context, tx *sql.Tx, now time.Time, addr, status, detail string) error {
	a := normAddr(addr)
	if a == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO address_status(address, status, detail, at) VALUES (?, ?, ?, ?)
		ON CONFLICT(address) DO UPDATE SET status = excluded.status, detail = excluded.detail, at = excluded.at`, a, status, detail, ts(now))
	return err
}

// addressProblem says why mail should not go to addr automatically ("" if none).
func addressProblem(ctx context.Context, tx *sql.Tx, addr string) (string, error) {
	var status, detail string
	err := tx.QueryRowContext(ctx, `SELECT status, detail FROM address_status WHERE address = ?`, normAddr(addr)).Scan(&status, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(status + " " + detail), nil
}

// ClearAddress lifts a bounce or rejection mark (a person fixed the address, or found
// the refusal was the server's passing fault). Mail held for it stays held until released
// (ReleaseTo releases it all in one step).
func (t *Tracker) ClearAddress(ctx context.Context, addr, actor string) error {
	err := t.tx(ctx, func(tx *sql.Tx) error { return t.clearAddress(ctx, tx, t.Now(), addr, actor) })
	if err != nil {
		return fmt.Errorf("tracker: clear address %s: %w", normAddr(addr), err)
	}
	return nil
}

// clearAddress is ClearAddress inside tx.
func (t *Tracker) clearAddress(ctx context.Context, tx *sql.Tx, now time.Time, addr, actor string) error {
	a := normAddr(addr)
	if a == "" {
		return fmt.Errorf("%w: %q is not an address", ErrRefused, addr)
	}
	var status, detail string
	err := tx.QueryRowContext(ctx, `SELECT status, detail FROM address_status WHERE address = ?`, a).Scan(&status, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s is not marked bounced or refused", ErrNotFound, a)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM address_status WHERE address = ?`, a); err != nil {
		return err
	}
	t.log.Info("address cleared by a person", "by", actor)
	return audit(ctx, tx, now, 0, actor, "address_cleared", fmt.Sprintf("%s (was %s: %s) cleared by %s", a, status, detail, actor))
}

// ClearAddressCommand is the staff command "Clear address: ADDR" inside the command's
// transaction: the mark is lifted and the mail held for the address released in the same
// step; it returns the reply. (For commands.go to call.)
func (t *Tracker) ClearAddressCommand(ctx context.Context, tx *sql.Tx, now time.Time, addr, actor string) (string, error) {
	// An address already clear (cleared by another person, or from the command line
	// without --release) may still have mail held for it: release that all the same.
	cleared := t.clearAddress(ctx, tx, now, addr, actor)
	if cleared != nil && !errors.Is(cleared, ErrNotFound) {
		return "", cleared
	}
	released, still, err := t.releaseTo(ctx, tx, now, addr, actor)
	if err != nil {
		return "", err
	}
	out := fmt.Sprintf("%s cleared; %d held email(s) to it released", normAddr(addr), len(released))
	if cleared != nil {
		if len(released)+len(still) == 0 {
			return "", cleared
		}
		out = fmt.Sprintf("%s was not marked bounced or refused; %d held email(s) to it released", normAddr(addr), len(released))
	}
	if len(still) > 0 {
		out += fmt.Sprintf("; %d still held (csprbot outbox says why)", len(still))
	}
	return out, nil
}

// AddressStatus is a marked address: bounced or refused by the mail server.
type AddressStatus struct {
	Address, Status, Detail string
	At                      time.Time
}

// MarkedAddresses lists the addresses nothing goes to without a person.
func (s *Store) MarkedAddresses(ctx context.Context) ([]AddressStatus, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT address, status, detail, at FROM address_status ORDER BY address`)
	if err != nil {
		return nil, fmt.Errorf("tracker: marked addresses: %w", err)
	}
	defer rows.Close()
	var out []AddressStatus
	for rows.Next() {
		var a AddressStatus
		var at sql.NullString
		if err := rows.Scan(&a.Address, &a.Status, &a.Detail, &at); err != nil {
			return nil, err
		}
		a.At = parseTS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ReleaseTo releases, in one step, every held email with addr among its recipients that
// the send policy lets go on a person's word (after ClearAddress, say). It returns the
// Message-IDs released, and those still held with why (another recipient still marked,
// a national body's mail that goes only by approval).
func (t *Tracker) ReleaseTo(ctx context.Context, addr, actor string) (released []string, still map[string]string, err error) {
	err = t.tx(ctx, func(tx *sql.Tx) error {
		var err error
		released, still, err = t.releaseTo(ctx, tx, t.Now(), addr, actor)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("tracker: release mail to %s: %w", normAddr(addr), err)
	}
	return released, still, nil
}

// releaseTo is ReleaseTo inside tx.
func (t *Tracker) releaseTo(ctx context.Context, tx *sql.Tx, now time.Time, addr, actor string) (released []string, still map[string]string, err error) {
	a := normAddr(addr)
	still = map[string]string{}
	var ids []string
	rows, err := tx.QueryContext(ctx, `SELECT message_id, recipients FROM outbox WHERE status = 'held' ORDER BY id`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id, rcpt string
		if err := rows.Scan(&id, &rcpt); err != nil {
			rows.Close()
			return nil, nil, err
		}
		for _, r := range strings.Split(rcpt, ",") {
			if normAddr(r) == a {
				ids = append(ids, id)
				break
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		if err := t.release(ctx, tx, now, id, actor); err != nil {
			if errors.Is(err, ErrRefused) {
				still[id] = err.Error()
				continue
			}
			return nil, nil, err
		}
		released = append(released, id)
	}
	return released, still, nil
}

// MaxPerAddressPerDay caps the emails csprbot queues to one address on one London day;
// past it, mail is held for a person (a loop or a flood, not a process).
const MaxPerAddressPerDay = 40

// overDailyCap reports whether addr has had MaxPerAddressPerDay emails queued today: one
// look-up of a counter (address_day), whatever the day's mail.
func (t *Tracker) overDailyCap(ctx context.Context, tx *sql.Tx, now time.Time, addr string) (bool, error) {
	day, err := t.capDay(ctx, tx, now)
	if err != nil {
		return false, err
	}
	var n int
	err = tx.QueryRowContext(ctx, `SELECT n FROM address_day WHERE address = ? AND day = ?`, normAddr(addr), day).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return n >= MaxPerAddressPerDay, err
}

// countQueued adds an email just queued to today's count for each of its recipients.
func (t *Tracker) countQueued(ctx context.Context, tx *sql.Tx, now time.Time, addrs []string) error {
	day, err := t.capDay(ctx, tx, now)
	if err != nil {
		return err
	}
	for _, a := range dedupAddrs(addrs) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO address_day(address, day, n) VALUES (?, ?, 1)
			ON CONFLICT(address, day) DO UPDATE SET n = n + 1`, a, day); err != nil {
			return err
		}
	}
	return nil
}

// capDay returns now's London date for the daily counters. A day they have not counted
// from its start (it began before schema 8) is counted once from the outbox first; and
// counters older than a week, which no cap reads, are dropped then.
func (t *Tracker) capDay(ctx context.Context, tx *sql.Tx, now time.Time) (string, error) {
	day := t.londonDay(now)
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM address_days_counted WHERE day = ?`, day).Scan(&one)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return day, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT recipients FROM outbox WHERE created_at >= ?`, ts(t.cal.Day(now)))
	if err != nil {
		return "", err
	}
	counts := map[string]int{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return "", err
		}
		for _, a := range dedupAddrs(strings.Split(r, ",")) {
			counts[a]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	for a, n := range counts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO address_day(address, day, n) VALUES (?, ?, ?)
			ON CONFLICT(address, day) DO UPDATE SET n = max(n, excluded.n)`, a, day, n); err != nil {
			return "", err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO address_days_counted(day) VALUES (?)`, day); err != nil {
		return "", err
	}
	old := t.londonDay(now.AddDate(0, 0, -8))
	if _, err := tx.ExecContext(ctx, `DELETE FROM address_day WHERE day < ?`, old); err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM address_days_counted WHERE day < ?`, old)
	return day, err
}

// DefaultStuckAfter is how long a queued email may wait unsent before staff are told,
// unless the configuration says otherwise (Config.StuckAfter).
const DefaultStuckAfter = 2 * time.Hour

// alertStuckQuery finds the emails staff have not been told about yet: queued longer than
// Config.StuckAfter (counted from waiting_since), held, or failed. Through the partial
// index outbox_unalerted, it reads only rows not yet alerted, never the sent history.
const alertStuckQuery = `SELECT id, coalesce(case_id, 0), kind, recipients, status, last_error, created_at FROM outbox
		WHERE stuck_alerted = 0 AND status = 'queued' AND waiting_since <= ?
	UNION ALL
	SELECT id, coalesce(case_id, 0), kind, recipients, status, last_error, created_at FROM outbox
		WHERE stuck_alerted = 0 AND status IN ('failed', 'held')`

// alertStuck tells staff once about each email that has waited unsent longer than
// Config.StuckAfter (it reaches them when SMTP works again), and about each rejected or
// held one. A notice to staff is never alerted about (it is marked 2: nothing to tell).
func (t *Tracker) alertStuck(ctx context.Context) error {
	now := t.Now()
	rows, err := t.db.QueryContext(ctx, alertStuckQuery, ts(now.Add(-t.cfg.StuckAfter)))
	if err != nil {
		return err
	}
	type stuck struct {
		id, caseID                         int64
		kind, to, status, lastErr, created string
	}
	var list []stuck
	for rows.Next() {
		var s stuck
		if err := rows.Scan(&s.id, &s.caseID, &s.kind, &s.to, &s.status, &s.lastErr, &s.created); err != nil {
			rows.Close()
			return err
		}
		list = append(list, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	for _, s := range list {
		err := t.tx(ctx, func(tx *sql.Tx) error {
			if s.kind == TmplStaffAttention {
				_, err := tx.ExecContext(ctx, `UPDATE outbox SET stuck_alerted = 2 WHERE id = ?`, s.id)
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET stuck_alerted = 1 WHERE id = ?`, s.id); err != nil {
				return err
			}
			what := fmt.Sprintf("The %s email to %s, queued %s, has not been sent: %s.", s.kind, s.to, s.created, orNoReason(s.lastErr))
			if s.status == "held" {
				what = fmt.Sprintf("The %s email to %s is %s. Release it or send it by hand.", s.kind, s.to, s.lastErr)
			}
			if s.status == "failed" {
				what = fmt.Sprintf("The %s email to %s was refused by the mail server: %s.", s.kind, s.to, orNoReason(s.lastErr))
				// Refused for the message itself: its recipients did nothing wrong.
				for _, a := range strings.Split(s.to, ", ") {
					if strings.HasPrefix(s.lastErr, refusedPrefix) {
						break
					}
					if err := markAddress(ctx, tx, now, a, "rejected", s.lastErr); err != nil {
						return err
					}
				}
			}
			if err := audit(ctx, tx, now, s.caseID, "csprbot", "staff_alerted", what); err != nil {
				return err
			}
			// Held or refused: never only by email, the channel that may be the one held;
			// the log (and csprbot outbox, the health state's held count, the digest) carry
			// it too. (Mail merely slow to go is the outage, logged once as the server
			// stops taking mail.)
			if s.status != "queued" {
				t.log.Warn("an outgoing email waits for a person; staff are told", "kind", s.kind, "status", s.status, "created", s.created)
			}
			return t.tellStaff(ctx, tx, now, s.caseID, what, &Incoming{MessageID: "(none: csprbot's own outbox)", ReceivedAt: now})
		})
		if err != nil {
			return fmt.Errorf("tracker: alert stuck mail: %w", err)
		}
	}
	return nil
}

func orNoReason(s string) string {
	if s == "" {
		return "no reason given yet"
	}
	return s
}

// Purge removes the bodies and attachments of messages on cases closed more than
// retention ago, leaving the audit trail and the record that each message existed.
func (t *Tracker) Purge(ctx context.Context, retention time.Duration) (int, error) {
	if retention <= 0 {
		return 0, nil
	}
	now := t.Now()
	n := 0
	err := t.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, ref FROM cases WHERE closed_at IS NOT NULL AND closed_at <= ?`, ts(now.Add(-retention)))
		if err != nil {
			return err
		}
		type c struct {
			id  int64
			ref string
		}
		var cs []c
		for rows.Next() {
			var x c
			if err := rows.Scan(&x.id, &x.ref); err != nil {
				rows.Close()
				return err
			}
			cs = append(cs, x)
		}
		rows.Close()
		for _, x := range cs {
			r, err := tx.ExecContext(ctx, `UPDATE messages SET body_text = '', body_html = '', raw = NULL, purged_at = ? WHERE case_id = ? AND purged_at IS NULL`, ts(now), x.id)
			if err != nil {
				return err
			}
			m, _ := r.RowsAffected()
			if m == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE attachments SET data = NULL, form_json = '' WHERE message_id IN (SELECT id FROM messages WHERE case_id = ?)`, x.id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET email_json = '{}' WHERE case_id = ? AND status IN ('sent', 'failed', 'bounced', 'coalesced')`, x.id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET referral_json = '{}' WHERE id = ?`, x.id); err != nil {
				return err
			}
			n += int(m)
			if err := audit(ctx, tx, now, x.id, "csprbot", "purged", fmt.Sprintf("retention period passed: bodies and attachments of %d messages removed", m)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("tracker: purge: %w", err)
	}
	return n, nil
}
