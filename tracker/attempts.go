package tracker

import (
	"context"
	"database/sql"
	"fmt"
)

// QuarantineAfter is how many unfinished attempts at one message (a crash, an
// out-of-memory kill or a hang while it was being read) make it a poison message: the
// next attempt records it for a person without reading it, so that intake never stops
// behind it.
const QuarantineAfter = 2

// BeginAttempt records, in a transaction of its own that commits before any work on the
// message starts, that the message at (mailbox, uidValidity, uid) is about to be
// processed. It returns how many earlier attempts never finished. Recording the message
// (Ingest) removes the row in the same transaction, so a row that survives a restart is
// an attempt that died.
func (s *Store) BeginAttempt(ctx context.Context, mailbox string, uidValidity, uid uint32) (unfinished int, err error) {
	if mailbox == "" {
		return 0, nil
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := ts(s.Now())
		if err := tx.QueryRowContext(ctx, `SELECT attempts FROM intake_attempts WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`,
			mailbox, uidValidity, uid).Scan(&unfinished); err != nil && err != sql.ErrNoRows {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO intake_attempts(mailbox, uidvalidity, uid, attempts, first_at, last_at) VALUES (?, ?, ?, 1, ?, ?)
			ON CONFLICT(mailbox, uidvalidity, uid) DO UPDATE SET attempts = attempts + 1, last_at = excluded.last_at`,
			mailbox, uidValidity, uid, now, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("tracker: begin attempt: %w", err)
	}
	return unfinished, nil
}

// finishAttempt removes the attempt row of a message being recorded, in its transaction.
func finishAttempt(ctx context.Context, tx *sql.Tx, mailbox string, uidValidity, uid uint32) error {
	if mailbox == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM intake_attempts WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`, mailbox, uidValidity, uid)
	return err
}
