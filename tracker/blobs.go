package tracker

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
)

// Large content (an attachment of many MiB, the raw message carrying it) reaches the
// tracker as a file the intake spooled (Attachment.File, Incoming.RawFile) and is stored
// in blob_chunks, one chunk of at most chunkSize bytes per row, inside the transaction
// that records the message. Nothing is ever held whole: neither in Go nor in the C
// memory where modernc's driver and SQLite copy a bound value. SQLite's incremental BLOB
// I/O would do the same in one row, but modernc.org/sqlite (v1.62) does not expose
// sqlite3_blob_open; files beside the store would leave the content out of the store's
// transaction, its backups (VACUUM INTO) and restore-test. Chunks keep all three.
const chunkSize = 512 << 10

// putChunks stores the file at path as the chunks of (kind, owner) and returns how many
// it wrote and the bytes they hold.
func putChunks(ctx context.Context, tx *sql.Tx, kind string, owner int64, path string) (int, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("tracker: store %s content: %w", kind, err)
	}
	defer f.Close()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO blob_chunks(kind, owner, seq, data) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return 0, 0, err
	}
	defer stmt.Close()
	buf := make([]byte, chunkSize)
	var total int64
	n := 0
	for {
		k, err := io.ReadFull(f, buf)
		if k > 0 {
			if _, err := stmt.ExecContext(ctx, kind, owner, n, buf[:k]); err != nil {
				return n, total, err
			}
			n++
			total += int64(k)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return n, total, nil
		}
		if err != nil {
			return n, total, fmt.Errorf("tracker: store %s content: %w", kind, err)
		}
	}
}

// readChunks reads the content of (kind, owner) back whole (for mail that must carry
// it, such as the Rapid Review papers).
func readChunks(ctx context.Context, tx *sql.Tx, kind string, owner int64) ([]byte, error) {
	rows, err := tx.QueryContext(ctx, `SELECT data FROM blob_chunks WHERE kind = ? AND owner = ? ORDER BY seq`, kind, owner)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out bytes.Buffer
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out.Write(b)
	}
	return out.Bytes(), rows.Err()
}

// writeFileField adds a spooled file's content to a content digest exactly as
// contentDigest adds content held in memory (its length, a zero byte, the bytes), so a
// message has the same digest however it was read.
func writeFileField(h hash.Hash, path string) {
	f, err := os.Open(path)
	if err != nil {
		h.Write([]byte("unreadable:" + path))
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		h.Write([]byte("unreadable:" + path))
		return
	}
	h.Write([]byte(strconv.FormatInt(st.Size(), 10)))
	h.Write([]byte{0})
	_, _ = io.Copy(h, f)
}

// fileSize is the size of a spooled file (0 if it cannot be read: the chunks then say).
func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// head is the part of the raw message header readers may look at (exchangeInternal):
// the raw bytes when held, else what the intake read of the spool's header.
func (in *Incoming) head() []byte {
	if in.Raw != nil {
		return in.Raw
	}
	return in.RawHead
}

// attemptKey is AttemptKey of the message, also when it was spooled.
func (in *Incoming) attemptKey() string {
	if in.RawFile != "" && in.RawSHA256 != "" {
		return in.RawSHA256
	}
	return AttemptKey(in.Raw, in.Mailbox, in.UIDValidity, in.UID)
}

// inlineRaw is what goes in messages.raw: the raw bytes, or NULL when they are stored
// in chunks.
func inlineRaw(in *Incoming) any {
	if in.RawFile != "" {
		return nil
	}
	return in.Raw
}

// storeChunked stores a spooled file as chunks of the row it belongs to and records
// their count there.
func storeChunked(ctx context.Context, tx *sql.Tx, kind string, owner int64, path string) error {
	n, _, err := putChunks(ctx, tx, kind, owner, path)
	if err != nil {
		return err
	}
	q := `UPDATE attachments SET chunks = ? WHERE id = ?`
	if kind == "raw" {
		q = `UPDATE messages SET raw_chunks = ? WHERE id = ?`
	}
	_, err = tx.ExecContext(ctx, q, n, owner)
	return err
}

// withContent returns atts with every spooled attachment's content read into Data: an
// email is fixed in the outbox as it will be sent, so a document it forwards from an
// incoming message (a Rapid Review report to the National Panel, say) carries its bytes,
// not the name of a spool file that is gone once the message is recorded.
func withContent(atts []Attachment) ([]Attachment, error) {
	var out []Attachment
	for i, a := range atts {
		if a.File == "" {
			continue
		}
		if out == nil {
			out = append([]Attachment(nil), atts...)
		}
		b, err := os.ReadFile(a.File)
		if err != nil {
			return nil, fmt.Errorf("tracker: attachment %s: %w", a.Name, err)
		}
		out[i].Data, out[i].File = b, ""
	}
	if out == nil {
		return atts, nil
	}
	return out, nil
}
