package tracker

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// Issue 8 §7: an email the server refuses for the message itself is an error that
// reaches staff at once (a notice, the audit trail), its recipients are not marked, and
// the stuck-mail alert does not mark them later; a refused notice to staff is not
// answered with another notice.
func TestMessageRefusedReachesStaff(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	queue := func(tmpl string, to string) string {
		var id string
		if err := tr.tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, err = tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: tmpl, to: []string{to}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	digest := queue(TmplDigest, "lead@met.example")
	if _, err := tr.SendDue(ctx, refusingContent{}); err != nil {
		t.Fatal(err)
	}
	var notices, refusedNotices int
	for _, o := range outboxEmails(t, tr, "") {
		switch {
		case o.MessageID == digest && o.Status != "failed":
			t.Errorf("the refused email is %s, want failed", o.Status)
		case o.Kind == TmplStaffAttention && o.Status == "queued":
			notices++
		case o.Kind == TmplStaffAttention && o.Status == "failed":
			refusedNotices++
		}
	}
	// The notice itself was refused too (the same server): it is not answered again.
	if notices != 0 || refusedNotices != 1 {
		t.Errorf("staff notices after a refusal by a server that refuses everything: %d queued, %d refused; want 0 and 1 (one notice, not a loop)", notices, refusedNotices)
	}
	var n int
	tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'message_out_refused'`).Scan(&n)
	if n != 2 {
		t.Errorf("message_out_refused audit rows = %d, want 2", n)
	}
	clock.Set("2026-12-07T14:20:00Z") // past StuckAfter: the alert must not mark the recipients
	if _, err := tr.SendDue(ctx, &countSender{n: map[string]int{}}); err != nil {
		t.Fatal(err)
	}
	tr.DB().QueryRow(`SELECT count(*) FROM address_status`).Scan(&n)
	if n != 0 {
		t.Errorf("%d addresses marked after a refusal of the message itself; want none", n)
	}
}

// A refusal of one email's content, with a server that takes the rest: the notice
// reaches staff.
func TestMessageRefusedNoticeIsSent(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		_, err := tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: TmplDigest, to: []string{"lead@met.example"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SendDue(ctx, refuseDigest{}); err != nil {
		t.Fatal(err)
	}
	sink := &countSender{n: map[string]int{}}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	notices := outboxEmails(t, tr, TmplStaffAttention)
	if len(notices) != 1 || notices[0].Status != "sent" {
		t.Fatalf("staff notices of the refused email = %+v, want one, sent", notices)
	}
}

type refuseDigest struct{}

func (refuseDigest) Send(_ context.Context, m *OutEmail) error {
	if strings.Contains(m.MessageID, "csprbot.") && len(m.To) == 1 && m.To[0] == "lead@met.example" {
		return refusingContent{}.Send(context.Background(), m)
	}
	return nil
}
