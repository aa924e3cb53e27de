package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// Issue 8.8, second reader: another store copied over the running daemon's store file in
// place (cp keeps the inode) stops the daemon as a deleted or renamed one does: nothing
// taken in, nothing sent.
func TestDaemonStopsWhenItsStoreIsOverwrittenInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("daemon test in -short")
	}
	other := newE2E(t)
	other.run(0, "run", "--once", "--now", "2026-12-07T10:00:00Z") // a store of its own, closed (checkpointed)
	replacement, err := os.ReadFile(other.dbPath())
	if err != nil {
		t.Fatal(err)
	}

	e := newE2E(t)
	e.rewriteConfig(fastIMAP)
	d := startMain(t, "run", "--config", e.cfg, "--now", "2026-12-07T10:15:00Z")
	eventually(t, 5*time.Second, "the daemon watches the mailbox", func() (bool, string) {
		return d.log.count("imap: watching mailbox") == 1, d.log.String()
	})
	first := e.deliverRaw(triageMail(1), time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC))
	db := openStore(t, e.dbPath())
	recordedAndSeen(t, e, db, 8*time.Second, first)
	db.Close()

	f, err := os.OpenFile(e.dbPath(), os.O_WRONLY|os.O_TRUNC, 0) // what cp does
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(replacement); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sentBefore := len(e.smtp.Messages())
	second := e.deliverRaw(triageMail(2), time.Date(2026, 12, 7, 10, 16, 0, 0, time.UTC))
	var code int
	select {
	case code = <-d.done:
		d.cancel()
		d.cancel = nil
	case <-time.After(15 * time.Second):
		t.Fatalf("the daemon is still running 15 s after another store was copied over its store file; log:\n%s", d.log.String())
	}
	log := d.log.String()
	if code != 1 || !strings.Contains(log, "overwritten in place") {
		t.Errorf("daemon exit %d; want 1 with an error saying the store was overwritten in place; log:\n%s", code, log)
	}
	if _, seen := e.seen(second); seen {
		t.Errorf("the message that came after the store was overwritten is marked \\Seen")
	}
	if n := len(e.smtp.Messages()); n != sentBefore {
		t.Errorf("%d emails sent after the store was overwritten, want none", n-sentBefore)
	}
}
