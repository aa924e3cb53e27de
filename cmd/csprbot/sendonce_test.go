package main

import (
	"context"
	"testing"
	"time"
)

// Issue 8.6 on the running daemon: while another process holds the store's write lock for
// longer than busy_timeout, round after round of the daemon's loop, the SMTP server (which
// now takes mail) receives nothing; once the lock goes, each email arrives exactly once.
// Before claims, each round sent every due email again and failed to record it.
func TestDaemonSendsNothingWhileTheStoreIsLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test in -short")
	}
	t.Parallel() // mostly waiting on the lock
	e, db, d, attempts := smtpOutage(t, 451, "4.3.0 mailbox busy, try again later")
	eventually(t, 6*time.Second, "the acknowledgement and the staff notice are queued and tried", func() (bool, string) {
		return queryInt(db, `SELECT count(*) FROM outbox WHERE attempts > 0`) == 2, itoa(attempts()) + " attempts"
	})
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	e.smtp.Fail(0, "", 0)       // the server takes mail again
	d.advance(10 * time.Minute) // past the back-off: both emails are due
	locked := time.Now()
	for time.Since(locked) < 12*time.Second { // two rounds and more of busy_timeout (5 s)
		if n := len(e.smtp.Messages()); n != 0 {
			t.Fatalf("%s after the store was locked, the server has received %d emails; want none while the store cannot record them", time.Since(locked).Round(time.Second), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "both emails sent once the lock is gone", func() (bool, string) {
		q := queryInt(db, `SELECT count(*) FROM outbox WHERE status != 'sent'`)
		return q == 0, itoa(q) + " emails not sent"
	})
	rows, err := db.Query(`SELECT message_id FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if n := e.sinkCount(id); n != 1 {
			t.Errorf("%s reached the server %d times, want 1", id, n)
		}
	}
	if n := len(e.smtp.Messages()); n != len(ids) {
		t.Errorf("the server holds %d emails, the outbox %d", n, len(ids))
	}
}
