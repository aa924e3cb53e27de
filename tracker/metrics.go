package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Metrics are the store's numbers for monitoring. They are counts by category only: no
// reference, initials, name or address, so that nothing a monitoring system keeps can
// identify a child or an agency's contact.
type Metrics struct {
	MessagesIn     map[string]int64 // by disposition ("" as "none")
	Emails         map[string]int64 // outbox by status: queued, sending, sent, held, failed, …
	OpenCases      map[string]int64 // by stage
	OverdueReturns int64
	ParseFailures  int64     // attachments that could not be read
	OldestUnsent   time.Time // created_at of the oldest queued email, zero if none
	LastSendError  string    // of the most recently failed attempt still unsent ("" if none)
}

// Metrics reads the numbers on the read-only handle, in one read transaction, at now.
func (s *Store) Metrics(ctx context.Context, now time.Time) (*Metrics, error) {
	m := &Metrics{MessagesIn: map[string]int64{}, Emails: map[string]int64{}, OpenCases: map[string]int64{}}
	tx, err := s.rd.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("tracker: metrics: %w", err)
	}
	defer tx.Rollback()
	group := func(q string, into map[string]int64) error {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			if k == "" {
				k = "none"
			}
			into[k] = n
		}
		return rows.Err()
	}
	if err := group(`SELECT disposition, count(*) FROM messages GROUP BY disposition`, m.MessagesIn); err != nil {
		return nil, fmt.Errorf("tracker: metrics: %w", err)
	}
	if err := group(`SELECT status, count(*) FROM outbox GROUP BY status`, m.Emails); err != nil {
		return nil, fmt.Errorf("tracker: metrics: %w", err)
	}
	if err := group(`SELECT stage, count(*) FROM cases WHERE closed_at IS NULL GROUP BY stage`, m.OpenCases); err != nil {
		return nil, fmt.Errorf("tracker: metrics: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns r JOIN cases c ON c.id = r.case_id
		WHERE c.closed_at IS NULL AND (r.status IN ('overdue', 'escalated') OR (r.status = 'awaiting' AND r.due_at < ?))`, ts(now)).Scan(&m.OverdueReturns); err != nil {
		return nil, fmt.Errorf("tracker: metrics: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE error <> ''`).Scan(&m.ParseFailures); err != nil {
		return nil, fmt.Errorf("tracker: metrics: %w", err)
	}
	var oldest, lastErr sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT min(created_at) FROM outbox WHERE status IN ('queued', 'sending')`).Scan(&oldest); err != nil {
		return nil, fmt.Errorf("tracker: metrics: %w", err)
	}
	m.OldestUnsent = parseTS(oldest)
	err = tx.QueryRowContext(ctx, `SELECT last_error FROM outbox WHERE status IN ('queued', 'sending', 'failed') AND last_error <> ''
		ORDER BY id DESC LIMIT 1`).Scan(&lastErr)
	if err != nil && err != sql.ErrNoRows {
		return nil, fmt.Errorf("tracker: metrics: %w", err)
	}
	m.LastSendError = lastErr.String
	return m, nil
}

// Writable reports whether the store takes a write now: it takes the write lock and
// lets it go, writing nothing.
func (s *Store) Writable(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil) // _txlock=immediate: BEGIN IMMEDIATE
	if err != nil {
		return fmt.Errorf("tracker: store not writable: %w", err)
	}
	return tx.Rollback()
}
