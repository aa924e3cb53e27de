package tracker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

func randomFile(t *testing.T, n int, seed int64) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	p := filepath.Join(t.TempDir(), "spool")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, b
}

func chunksOf(t *testing.T, tr *Tracker, kind string, owner int64) []byte {
	t.Helper()
	var out []byte
	err := tr.tx(context.Background(), func(tx *sql.Tx) (err error) {
		out, err = readChunks(context.Background(), tx, kind, owner)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A spooled message and its spooled attachment are stored in chunks, read back whole,
// and count as the same message as the same bytes held in memory.
func TestSpooledMessageIsStoredInChunks(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	rawPath, raw := randomFile(t, 3*chunkSize+17, 1)
	attPath, att := randomFile(t, 2*chunkSize+1, 2)
	sum := sha256.Sum256(raw)
	in := referralIncoming("big@example.org", 1, "2026-12-07T10:15:00Z")
	in.RawFile, in.RawSHA256, in.RawHead = rawPath, hex.EncodeToString(sum[:]), []byte("From: x\r\n\r\n")
	in.Attachments[0].File, in.Attachments[0].Data = attPath, nil
	if _, err := tr.BeginAttempt(ctx, in.RawSHA256, "INBOX", 1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Ingest(ctx, in); err != nil {
		t.Fatal(err)
	}
	db := tr.DB()
	var msgID, rawChunks int64
	var inline []byte
	if err := db.QueryRow(`SELECT id, raw, raw_chunks FROM messages WHERE message_id = 'big@example.org'`).Scan(&msgID, &inline, &rawChunks); err != nil {
		t.Fatal(err)
	}
	if inline != nil || rawChunks != 4 {
		t.Errorf("messages.raw %d bytes inline, %d chunks; want none inline and 4 chunks", len(inline), rawChunks)
	}
	if got := chunksOf(t, tr, "raw", msgID); !bytes.Equal(got, raw) {
		t.Errorf("raw read back: %d bytes, want the %d spooled", len(got), len(raw))
	}
	var attID, size, chunks int64
	if err := db.QueryRow(`SELECT id, size, chunks FROM attachments WHERE message_id = ? AND data IS NULL`, msgID).Scan(&attID, &size, &chunks); err != nil {
		t.Fatal(err)
	}
	if size != int64(len(att)) || chunks != 3 {
		t.Errorf("attachment size %d in %d chunks, want %d in 3", size, chunks, len(att))
	}
	if got := chunksOf(t, tr, "attachment", attID); !bytes.Equal(got, att) {
		t.Errorf("attachment read back: %d bytes, want the %d spooled", len(got), len(att))
	}
	var attempts int
	if err := db.QueryRow(`SELECT count(*) FROM intake_attempts`).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 {
		t.Errorf("%d attempt rows left after recording, want 0 (the spooled message's key)", attempts)
	}

	// The same message read into memory (an older csprbot, a smaller limit) is a duplicate.
	again := referralIncoming("big@example.org", 2, "2026-12-07T10:15:00Z")
	again.Raw = raw
	again.Attachments[0].Data = att
	res, err := tr.Ingest(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate {
		t.Errorf("the same message held in memory: %+v, want a duplicate", res)
	}

	// Retention's purge empties data and raw: the chunks go with them.
	if _, err := db.Exec(`UPDATE attachments SET data = NULL, form_json = '' WHERE message_id = ?`, msgID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE messages SET body_text = '', raw = NULL WHERE id = ?`, msgID); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.QueryRow(`SELECT count(*) FROM blob_chunks`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d chunks left after the purge, want 0", left)
	}
}

// An email that forwards an incoming document carries its bytes, not the spool file's
// name (the file is gone once the message is recorded).
func TestWithContentReadsSpooledAttachments(t *testing.T) {
	p, b := randomFile(t, 3000, 3)
	in := []Attachment{{Name: "a.txt", Data: []byte("x")}, {Name: "report.docx", File: p}}
	out, err := withContent(in)
	if err != nil {
		t.Fatal(err)
	}
	if out[1].File != "" || !bytes.Equal(out[1].Data, b) || string(out[0].Data) != "x" {
		t.Errorf("withContent = %+v, want report.docx's %d bytes in Data", out, len(b))
	}
	if in[1].File != p || in[1].Data != nil {
		t.Errorf("withContent changed its argument: %+v", in[1])
	}
	if _, err := withContent([]Attachment{{Name: "gone", File: p + ".missing"}}); err == nil {
		t.Error("withContent of a missing file: no error")
	}
}
