package tracker

import (
	"context"
	"errors"
	"testing"
)

// rejectsOne refuses one recipient of one email for good and takes everything else.
type rejectsOne struct {
	msgID, addr string
	sent        []string
}

func (s *rejectsOne) Send(_ context.Context, e *OutEmail) error {
	if e.MessageID == s.msgID {
		return &SendError{Rejected: []string{s.addr}, Err: errors.New("550 no such user")}
	}
	s.sent = append(s.sent, e.MessageID)
	return nil
}

// When recording an outcome fails for a reason that is not the store (here the notice to
// staff about a refused recipient cannot be rendered), the bare outcome is recorded: the
// email is neither left 'sending' for ever, holding up every later email, nor sent again
// blindly.
func TestOutcomeRecordedBareWhenItsSideEffectsFail(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:00:00Z")
	tr := newTrackerWith(t, clock, testConfig(), failingRenderer{})
	queueAt(t, tr, "partly@lewisham.gov.uk", "2026-12-07T09:00:00Z", "2026-12-07T09:00:00Z", 0)
	if _, err := tr.DB().Exec(`UPDATE outbox SET email_json = json_set(email_json, '$.To', json_array('csc@lewisham.gov.uk', 'gone@lewisham.gov.uk'))`); err != nil {
		t.Fatal(err)
	}
	queueAt(t, tr, "later@lewisham.gov.uk", "2026-12-07T09:01:00Z", "2026-12-07T09:01:00Z", 0)
	s := &rejectsOne{msgID: "partly@lewisham.gov.uk", addr: "gone@lewisham.gov.uk"}
	for range 3 {
		tr.SendDue(ctx, s)
	}
	if len(s.sent) != 1 || s.sent[0] != "later@lewisham.gov.uk" {
		t.Errorf("sent %v; want the later email, once", s.sent)
	}
	var status string
	tr.DB().QueryRow(`SELECT status FROM outbox WHERE message_id = 'partly@lewisham.gov.uk'`).Scan(&status)
	if status == "sending" {
		t.Errorf("the partly refused email is still 'sending': its outcome was never recorded")
	}
}
