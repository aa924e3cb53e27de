package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// linesRenderer is testRenderer with the Lines in the text, to read a summary's contents.
type linesRenderer struct{ testRenderer }

func (r linesRenderer) Render(name string, d *MailData) (Rendered, error) {
	out, err := r.testRenderer.Render(name, d)
	out.Text += strings.Join(d.Lines, "\n")
	return out, err
}

// warnCounter counts log records at WARN and above.
type warnCounter struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnCounter) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	w.msgs = append(w.msgs, r.Message)
	w.mu.Unlock()
	return nil
}
func (w *warnCounter) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnCounter) WithGroup(string) slog.Handler      { return w }

func (w *warnCounter) count(sub string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, m := range w.msgs {
		if strings.Contains(m, sub) {
			n++
		}
	}
	return n
}

// Issue 9.7: 60 referrals in one morning, all from one hospital's safeguarding team.
// Every staff notice reaches staff (past the daily cap, gathered into summaries), none is
// held; the acknowledgements past the cap to the one referrer address are held, and each
// of those holds reaches staff (by a notice, itself never held) and the log at WARN.
func TestSixtyReferralsInOneMorning(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T08:00:00Z")
	tr := newTrackerWith(t, clock, testConfig(), linesRenderer{})
	warns := &warnCounter{}
	tr.log = slog.New(warns)
	sink := &countSender{n: map[string]int{}}
	start := mustTime("2026-12-07T08:00:00Z")
	for i := 0; i < 60; i++ {
		clock.Set(start.Add(time.Duration(i) * 3 * time.Minute).Format(time.RFC3339))
		in := referralIncoming(fmt.Sprintf("flood-%02d@lgt.example", i), uint32(i+1), clock.Now().Format(time.RFC3339))
		in.Attachments[0].Form.Fields["child_name"] = fmt.Sprintf("%c%c Child", 'A'+i%26, 'a'+i/26)
		deliver(t, tr, in)
		if _, err := tr.SendDue(ctx, sink); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []string{"2026-12-07T11:30:00Z", "2026-12-07T12:45:00Z", "2026-12-07T14:00:00Z", "2026-12-07T15:30:00Z"} {
		clock.Set(at)
		if _, err := tr.SendDue(ctx, sink); err != nil {
			t.Fatal(err)
		}
	}

	type row struct {
		msgID, kind, to, status, lastErr, text string
		alerted                                int
	}
	rows, err := tr.DB().Query(`SELECT message_id, kind, recipients, status, last_error, email_json, stuck_alerted FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var all []row
	byID := map[string]row{}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.msgID, &r.kind, &r.to, &r.status, &r.lastErr, &r.text, &r.alerted); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
		byID[r.msgID] = r
	}
	rows.Close()
	staff := "strategic.lead@lewisham.gov.uk"
	var notices, summaries, held int
	sentToStaff := 0
	for _, r := range all {
		if r.to == staff && r.status == "sent" {
			sentToStaff++
		}
		switch {
		case r.to == staff && r.status == "coalesced":
			id := strings.TrimPrefix(r.lastErr, "sent within the summary ")
			s, ok := byID[id]
			if !ok || s.status != "sent" {
				t.Errorf("%s %s was coalesced into %q, which is %q, not sent", r.kind, r.msgID, id, s.status)
			}
		case r.to == staff && r.status != "sent":
			t.Errorf("a notice to staff (%s) is %s: %s", r.kind, r.status, r.lastErr)
		case r.status == "held":
			held++
			if r.alerted != 1 {
				t.Errorf("%s to %s held (%s) and staff were never told (stuck_alerted %d)", r.kind, r.to, r.lastErr, r.alerted)
			}
		case r.status != "sent":
			t.Errorf("%s to %s is %s: %s", r.kind, r.to, r.status, r.lastErr)
		}
		if r.kind == TmplStaffNewReferral {
			notices++
		}
		if strings.Contains(r.text, "gathered here in one email") {
			summaries++
		}
	}
	if notices != 60 {
		t.Errorf("%d new-referral notices, want 60", notices)
	}
	// Every case's notice reached staff, alone or in a summary.
	var refs []string
	crows, _ := tr.DB().Query(`SELECT ref FROM cases ORDER BY id`)
	for crows.Next() {
		var ref string
		crows.Scan(&ref)
		refs = append(refs, ref)
	}
	crows.Close()
	if len(refs) != 60 {
		t.Fatalf("%d cases, want 60", len(refs))
	}
	var delivered strings.Builder
	for _, r := range all {
		if r.to == staff && r.status == "sent" {
			delivered.WriteString(r.text)
		}
	}
	for _, ref := range refs {
		if !strings.Contains(delivered.String(), "["+ref+"] "+TmplStaffNewReferral) {
			t.Errorf("the new-referral notice for %s never reached staff", ref)
		}
	}
	t.Logf("%d emails, %d held, %d sent to staff of which %d summaries", len(all), held, sentToStaff, summaries)
	if held != 20 {
		t.Errorf("%d emails held, want the 20 acknowledgements past the daily cap", held)
	}
	if summaries == 0 || sentToStaff > MaxPerAddressPerDay+summaries {
		t.Errorf("%d emails reached staff, %d of them summaries; want the cap's %d and summaries for the rest", sentToStaff, summaries, MaxPerAddressPerDay)
	}
	if n := warns.count("held for a person"); n < held {
		t.Errorf("%d WARN log records of held mail, want at least %d", n, held)
	}
	if n := warns.count("waits for a person"); n < held {
		t.Errorf("%d WARN log records alerting held mail, want at least %d", n, held)
	}
}

// The one send policy at release and at sending: mail to an address that bounced after
// it was queued is held at sending; release refuses while the address is marked, and
// after ClearAddress, ReleaseTo releases it in one step.
func TestSendPolicyAtSendAndRelease(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	var ids []string
	for i := 0; i < 2; i++ {
		if err := tr.tx(ctx, func(tx *sql.Tx) error {
			id, err := tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: TmplDigest, to: []string{"lead@met.example"}})
			ids = append(ids, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	// The address bounces after the emails were queued.
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		return markAddress(ctx, tx, clock.Now(), "lead@met.example", "bounced", "550 no such user")
	}); err != nil {
		t.Fatal(err)
	}
	sink := &countSender{n: map[string]int{}}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if sink.n[id] != 0 {
			t.Errorf("%s went to an address that bounced since it was queued", id)
		}
	}
	if err := tr.Release(ctx, ids[0], "test"); err == nil || !strings.Contains(err.Error(), "address clear") {
		t.Errorf("Release while the address is marked = %v, want a refusal pointing at csprbot address clear", err)
	}
	if err := tr.ClearAddress(ctx, "lead@met.example", "test"); err != nil {
		t.Fatal(err)
	}
	released, still, err := tr.ReleaseTo(ctx, "LEAD@met.example", "test")
	if err != nil || len(released) != 2 || len(still) != 0 {
		t.Fatalf("ReleaseTo = %v, %v, %v; want both released", released, still, err)
	}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if sink.n[id] != 1 {
			t.Errorf("%s reached the server %d times after release, want 1", id, sink.n[id])
		}
	}
}

// "Clear address: ADDR" by staff email (ClearAddressCommand, for commands.go): the mark
// is lifted and the address's held mail released in the command's one transaction.
func TestClearAddressCommandReleasesInOneStep(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		return markAddress(ctx, tx, clock.Now(), "lead@met.example", "rejected", "550 5.1.1 unknown")
	}); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: TmplDigest, to: []string{"lead@met.example"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var reply string
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		var err error
		reply, err = tr.ClearAddressCommand(ctx, tx, clock.Now(), "Lead@Met.example", "lead@lewisham.gov.uk")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reply, "1 held email(s) to it released") {
		t.Errorf("reply = %q", reply)
	}
	sink := &countSender{n: map[string]int{}}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	if sink.n[id] != 1 {
		t.Errorf("the released email reached the server %d times, want 1", sink.n[id])
	}
}
