package tracker_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// TestDigestPreviewIsWhatIsSent: csprbot digest's preview is, word for word, the email the
// weekly send queues at the same moment.
func TestDigestPreviewIsWhatIsSent(t *testing.T) {
	ctx := context.Background()
	tr, c := digestCase(t)
	c.Set("2026-12-21T09:00:00Z")
	preview, err := tr.DigestPreview(ctx, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if sent, err := tr.TickDigest(ctx); err != nil || !sent {
		t.Fatalf("TickDigest = %v, %v; want a digest sent", sent, err)
	}
	var raw string
	if err := tr.DB().QueryRowContext(ctx, `SELECT email_json FROM outbox WHERE kind = ?`, tracker.TmplDigest).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var e tracker.OutEmail
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		t.Fatal(err)
	}
	if e.Subject != preview.Subject || e.Text != preview.Text || e.HTML != preview.HTML {
		t.Errorf("the digest queued differs from the preview:\nqueued %q\n%s\npreview %q\n%s", e.Subject, e.Text, preview.Subject, preview.Text)
	}
}
