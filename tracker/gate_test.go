package tracker_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/mailbox/devserver"
	"github.com/lewisham-lscp/csprbot/mailbox/mailtest"
	"github.com/lewisham-lscp/csprbot/templates"
	"github.com/lewisham-lscp/csprbot/tracker"
)

var now = func() time.Time { return time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC) }

// newSendingTracker is a tracker with the real templates on a fresh store, and a real
// SMTP sink on loopback with a sender pointed at it.
func newSendingTracker(t *testing.T, cfg tracker.Config) (*tracker.Tracker, *devserver.SMTPSink, *mailbox.SMTP) {
	t.Helper()
	ctx := context.Background()
	st, err := tracker.Open(ctx, filepath.Join(t.TempDir(), "db"), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cal, _ := tracker.NewCalendar(nil)
	ts, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := tracker.New(ctx, st, cfg, cal, ts)
	if err != nil {
		t.Fatal(err)
	}
	sink, err := devserver.StartSMTP("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	mailtest.Strict(t, sink)
	smtp, err := mailbox.NewSMTP(mailbox.SMTPConfig{Address: sink.Addr, TLS: "none", Auth: mailbox.NoAuth()})
	if err != nil {
		t.Fatal(err)
	}
	return tr, sink, smtp
}

// Whatever else goes wrong, an email to the National Panel that no approved submission
// names is held at the moment of sending, never sent: checked against a real SMTP server.
func TestUnapprovedNationalMailIsHeldAtSending(t *testing.T) {
	ctx := context.Background()
	cfg := tracker.Config{From: "safeguardingpartnership@lewisham.gov.uk",
		Addresses: tracker.Addresses{NationalPanel: "Mailbox.NationalReviewPanel@education.gov.uk"}}
	tr, sink, smtp := newSendingTracker(t, cfg)
	st := tr.Store
	// A row that bypassed every earlier check (a bug, a hand edit of the database).
	e := tracker.OutEmail{MessageID: "x.1.2@lewisham.gov.uk", From: cfg.From, To: []string{"mailbox.nationalreviewpanel@education.gov.uk"},
		Subject: "[LSCP-2026-001] report", Text: "report", Date: now()}
	body, _ := json.Marshal(e)
	if _, err := st.DB().Exec(`INSERT INTO outbox(message_id, kind, recipients, subject, email_json, status, next_attempt_at, created_at)
		VALUES (?, 'national_panel_submission', ?, ?, ?, 'queued', '2026-12-07T09:00:00Z', '2026-12-07T09:00:00Z')`,
		e.MessageID, e.To[0], e.Subject, string(body)); err != nil {
		t.Fatal(err)
	}
	n, err := tr.SendDue(ctx, smtp)
	if err != nil || n != 0 {
		t.Fatalf("SendDue = %d, %v; want nothing sent", n, err)
	}
	if got := len(sink.Messages()); got != 0 {
		t.Errorf("the SMTP server received %d messages to the National Panel without an approval", got)
	}
	ob, _ := st.Outbox(ctx)
	if len(ob) != 1 || ob[0].Status != "held" {
		t.Errorf("outbox = %+v, want the email held", ob)
	}
}

// One refused recipient must not stop an email to the others: against a real SMTP sink
// that refuses one of two staff addresses with 550.
func TestRefusedRecipientDoesNotStopTheOthers(t *testing.T) {
	ctx := context.Background()
	cfg := tracker.Config{From: "safeguardingpartnership@lewisham.gov.uk", Staff: []tracker.Person{
		{Name: "Lead", Email: "strategic.lead@lewisham.gov.uk"}, {Name: "Gone", Email: "left.last.year@lewisham.gov.uk"}}}
	tr, sink, smtp := newSendingTracker(t, cfg)
	st := tr.Store
	sink.RejectRecipient("left.last.year@lewisham.gov.uk", 550)
	// Unknown sender, no form: a triage note to both staff addresses.
	if _, err := tr.Ingest(ctx, &tracker.Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 1, ReceivedAt: now(), MessageID: "q@x.example",
		From: "someone@x.example", Subject: "A question", Text: "Hello"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := tr.SendDue(ctx, smtp); err != nil {
			t.Fatal(err)
		}
	}
	var toLead int
	for _, m := range sink.Messages() {
		for _, to := range m.To {
			if to == "strategic.lead@lewisham.gov.uk" {
				toLead++
			}
			if to == "left.last.year@lewisham.gov.uk" {
				t.Errorf("the refused address received mail")
			}
		}
	}
	if toLead < 1 {
		t.Errorf("the staff member whose address works got nothing; sink: %d messages", len(sink.Messages()))
	}
	var status string
	st.DB().QueryRow(`SELECT status FROM address_status WHERE address = 'left.last.year@lewisham.gov.uk'`).Scan(&status)
	if status != "rejected" {
		t.Errorf("refused address marked %q, want rejected", status)
	}
}
