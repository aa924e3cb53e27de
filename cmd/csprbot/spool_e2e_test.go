package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A referral too large to read into memory (a form that is mostly a 3 MiB picture) goes
// the spooled way end to end: the body streams to a file, the .docx is spilled and read
// through a mapping, the case opens, and the message and the document are stored in
// chunks that read back as they were sent. Nothing is left in the spool folder.
func TestLargeReferralIsSpooledAndStoredInChunks(t *testing.T) {
	e := newE2E(t)
	doc := paddedReferral(t, 3<<20)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	id := e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: doc}, now)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	if present, seen := e.seen(id); !present || !seen {
		t.Fatalf("the referral present %v, seen %v; want it marked done", present, seen)
	}
	db := openStore(t, e.dbPath())
	if n := queryInt(db, `SELECT count(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1 from the spooled referral", n)
	}
	var msgID, rawChunks, attID, chunks int64
	if err := db.QueryRow(`SELECT id, raw_chunks FROM messages WHERE raw IS NULL`).Scan(&msgID, &rawChunks); err != nil {
		t.Fatalf("the message's raw bytes: %v", err)
	}
	if err := db.QueryRow(`SELECT id, chunks FROM attachments WHERE message_id = ? AND name = 'referral.docx' AND data IS NULL AND form_kind = 'referral'`, msgID).Scan(&attID, &chunks); err != nil {
		t.Fatalf("the referral .docx, read as a referral and stored in chunks: %v", err)
	}
	if got := chunked(t, db, "attachment", attID); !bytes.Equal(got, doc) {
		t.Errorf("the .docx read back from %d chunks: %d bytes, want the %d sent", chunks, len(got), len(doc))
	}
	if got := chunked(t, db, "raw", msgID); len(got) < len(doc) || messageIDOf(got) != id {
		t.Errorf("the raw message read back from %d chunks: %d bytes, Message-ID %q", rawChunks, len(got), messageIDOf(got))
	}
	left, _ := filepath.Glob(filepath.Join(e.dbPath()+".spool", "*", "*"))
	for _, f := range left {
		if filepath.Base(f) != "lock" {
			t.Errorf("left in the spool: %s", f)
		}
	}
	if fi, err := os.Stat(e.dbPath() + ".spool"); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("spool folder: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
}

func chunked(t *testing.T, db *sql.DB, kind string, owner int64) []byte {
	t.Helper()
	rows, err := db.Query(`SELECT data FROM blob_chunks WHERE kind = ? AND owner = ? ORDER BY seq`, kind, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}
