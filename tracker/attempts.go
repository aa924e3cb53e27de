package tracker

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// When a message is poison. An attempt that never finished is a process that died while
// reading the message: an out-of-memory kill, a fatal runtime error, or a restart that
// merely happened to land there. Two attempts that died (or stalled) after reading for a
// while, or five that died at all, make it poison: the next attempt records it unread,
// for a person, so that intake never stops behind it.
const (
	QuarantineAfterSlow = 2
	QuarantineAfterAny  = 5
)

// Attempts is what earlier attempts at one message left behind.
type Attempts struct {
	Unfinished int // attempts that began and never recorded the message
	Slow       int // of those, the ones still reading after a few seconds
}

// Poison reports whether the message must be quarantined.
func (a Attempts) Poison() bool {
	return a.Slow >= QuarantineAfterSlow || a.Unfinished >= QuarantineAfterAny
}

// AttemptKey names a message for attempt counting: a digest of its bytes, so that the
// same message fetched under a new UIDVALIDITY (or another UID) counts as the same.
func AttemptKey(raw []byte, mailbox string, uidValidity, uid uint32) string {
	if len(raw) == 0 {
		return fmt.Sprintf("uid:%s/%d/%d", mailbox, uidValidity, uid)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// BeginAttempt records, in a transaction of its own that commits before any work on the
// message starts, that the message is about to be processed, and returns what earlier
// attempts left. Recording the message (Ingest) removes the row in the same transaction,
// so a row that survives a restart is an attempt that died.
func (s *Store) BeginAttempt(ctx context.Context, key, mailbox string, uidValidity, uid uint32) (Attempts, error) {
	var a Attempts
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := ts(s.Now())
		err := tx.QueryRowContext(ctx, `SELECT attempts, slow FROM intake_attempts WHERE key = ?`, key).Scan(&a.Unfinished, &a.Slow)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO intake_attempts(key, mailbox, uidvalidity, uid, attempts, first_at, last_at) VALUES (?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1, last_at = excluded.last_at,
				mailbox = excluded.mailbox, uidvalidity = excluded.uidvalidity, uid = excluded.uid`,
			key, mailbox, uidValidity, uid, now, now)
		return err
	})
	if err != nil {
		return Attempts{}, fmt.Errorf("tracker: begin attempt: %w", err)
	}
	return a, nil
}

// AttemptSlow records that the current attempt at a message has been reading for a
// while: if it never finishes, it counts towards quarantine as a slow death.
func (s *Store) AttemptSlow(ctx context.Context, key string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE intake_attempts SET slow = slow + 1, last_at = ? WHERE key = ?`, ts(s.Now()), key)
		return err
	})
	if err != nil {
		return fmt.Errorf("tracker: attempt slow: %w", err)
	}
	return nil
}

// finishAttempt removes the attempt row of a message being recorded, in its transaction.
func finishAttempt(ctx context.Context, tx *sql.Tx, in *Incoming) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM intake_attempts WHERE key = ?`, in.attemptKey())
	return err
}
