package mailbox

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestXOAUTH2(t *testing.T) {
	c := &xoauth2Client{user: "bot@example.org", token: "tok123"}
	mech, ir, err := c.Start()
	if err != nil || mech != "XOAUTH2" {
		t.Fatalf("Start = %q, %v", mech, err)
	}
	if want := "user=bot@example.org\x01auth=Bearer tok123\x01\x01"; string(ir) != want {
		t.Errorf("initial response = %q, want %q", ir, want)
	}
	if resp, err := c.Next([]byte(`{"status":"401"}`)); err != nil || len(resp) != 0 {
		t.Errorf("Next = %q, %v; want an empty response to end the exchange", resp, err)
	}

	calls := 0
	a := XOAUTH2Auth("bot@example.org", func(ctx context.Context) (string, error) {
		calls++
		return "tok", nil
	})
	opts, err := smtpOptions(context.Background(), a)
	if err != nil || len(opts) != 1 || calls != 1 {
		t.Errorf("smtpOptions = %d options, %v, token calls %d; want 1, nil, 1", len(opts), err, calls)
	}
	failing := XOAUTH2Auth("bot@example.org", func(ctx context.Context) (string, error) {
		return "", errors.New("token file missing")
	})
	if _, err := smtpOptions(context.Background(), failing); err == nil || !strings.Contains(err.Error(), "token file missing") {
		t.Errorf("smtpOptions with a failing token = %v", err)
	}
}

func TestXOAUTH2LoginAgainstServer(t *testing.T) {
	// go-imap's memory server offers only PLAIN: XOAUTH2 must fail cleanly, not hang.
	im := startIMAP(t)
	st := newStore(nil)
	w := testWatcher(im, st, func(c *IMAPConfig) {
		c.Auth = XOAUTH2Auth(testUser, func(context.Context) (string, error) { return "tok", nil })
	})
	if err := w.Once(context.Background()); err == nil || !strings.Contains(err.Error(), "XOAUTH2") {
		t.Errorf("Once = %v, want an XOAUTH2 failure", err)
	}
}
