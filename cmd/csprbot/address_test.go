package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// csprbot address clear ADDR --release (issue 9.7): mail held because its address was
// marked bounced is released, after the address is cleared, in one step; csprbot release
// refuses it while the address is marked and says how to clear it.
func TestAddressClearReleasesHeldMail(t *testing.T) {
	e := newE2E(t)
	const referrer = "safeguarding@lgt-nhs.example"
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: referrer, subject: "Referral", body: "Referral attached",
		attachName: "referral.docx", attach: referralFor("Ada Firstcase")}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	if n := e.sinkTo(referrer); n != 1 {
		t.Fatalf("acknowledgements = %d, want 1", n)
	}
	db := openStore(t, e.dbPath())
	if _, err := db.Exec(`INSERT INTO address_status(address, status, detail, at) VALUES (?, 'bounced', '550 mailbox unavailable', '2026-12-07T10:06:00Z')`, referrer); err != nil {
		t.Fatal(err)
	}
	e.deliverRaw(demoMail{from: referrer, subject: "Referral", body: "Another referral attached",
		attachName: "referral.docx", attach: referralFor("Ben Secondcase")}, at.Add(20*time.Minute))
	e.run(0, "run", "--once", "--now", "2026-12-07T10:25:00Z")
	if n := e.sinkTo(referrer); n != 1 {
		t.Fatalf("an acknowledgement went to an address marked bounced (%d)", n)
	}
	if out := e.run(0, "outbox"); !strings.Contains(out, "held") || !strings.Contains(out, referrer) {
		t.Fatalf("csprbot outbox does not show the held acknowledgement:\n%s", out)
	}
	if out := e.run(0, "address"); !strings.Contains(out, referrer) || !strings.Contains(out, "bounced") {
		t.Errorf("csprbot address does not list the bounced address:\n%s", out)
	}
	var id string
	db.QueryRow(`SELECT message_id FROM outbox WHERE status = 'held' AND recipients = ?`, referrer).Scan(&id)
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"release", id, "--config", e.cfg}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "address clear") {
		t.Errorf("csprbot release while the address is marked = exit %d, %q; want 2 pointing at csprbot address clear", code, errb.String())
	}
	if out := e.run(0, "address", "clear", referrer, "--release"); !strings.Contains(out, "1 held email(s) to it released") {
		t.Errorf("csprbot address clear --release said:\n%s", out)
	}
	e.run(2, "address", "clear", referrer) // no longer marked
	if out := e.run(0, "address"); !strings.Contains(out, "No address") {
		t.Errorf("after clearing, csprbot address lists:\n%s", out)
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")
	if n := e.sinkTo(referrer); n != 2 {
		t.Errorf("after the address was cleared and its mail released, %d acknowledgements, want 2", n)
	}
}
