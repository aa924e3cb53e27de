package mailbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// bigMessage is a message with a text body and one attachment of n random bytes.
func bigMessage(subject string, n int) ([]byte, []byte) {
	data := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(data)
	var m bytes.Buffer
	fmt.Fprintf(&m, "From: Agency <agency@example.org>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nA large scan.\r\n--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=scan.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n", testUser, subject, strings.ReplaceAll(subject, " ", "."))
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		m.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	m.WriteString(enc + "\r\n--b1--\r\n")
	return m.Bytes(), data
}

// content is an attachment's bytes, wherever they are kept.
func content(t *testing.T, data []byte, file string) []byte {
	t.Helper()
	if file == "" {
		return data
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Reading a stream with attachments spilled to files gives what reading the bytes in
// memory gives, for every fixture.
func TestDecodeFromMatchesDecode(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	big, _ := bigMessage("big one", 300<<10)
	type fixture struct {
		name string
		raw  []byte
	}
	fixtures := []fixture{{"big", big}}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fixtures = append(fixtures, fixture{filepath.Base(f), raw})
	}
	if len(fixtures) < 10 {
		t.Fatalf("only %d fixtures", len(fixtures))
	}
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			want, werr := Decode(fx.raw, Limits{})
			got, gerr := DecodeFrom(bytes.NewReader(fx.raw), Limits{}, &Spill{Dir: t.TempDir(), Over: 64})
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("DecodeFrom err = %v, Decode err = %v", gerr, werr)
			}
			if len(got.Attachments) != len(want.Attachments) {
				t.Fatalf("DecodeFrom: %d attachments, want %d", len(got.Attachments), len(want.Attachments))
			}
			for i := range got.Attachments {
				g, w := got.Attachments[i], want.Attachments[i]
				if g.Name != w.Name || g.ContentType != w.ContentType || !bytes.Equal(content(t, g.Data, g.File), w.Data) {
					t.Errorf("attachment %d = %q %q (%d bytes), want %q %q (%d bytes)", i, g.Name, g.ContentType, len(content(t, g.Data, g.File)), w.Name, w.ContentType, len(w.Data))
				}
				if len(w.Data) > 64 && g.File == "" {
					t.Errorf("attachment %d of %d bytes kept in memory, want a file", i, len(w.Data))
				}
			}
			got.Attachments, want.Attachments = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeFrom = %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestSpilledAttachmentIsOwnerOnlyAndCapped(t *testing.T) {
	raw, data := bigMessage("cap", 3<<20)
	dir := t.TempDir()
	m, err := DecodeFrom(bytes.NewReader(raw), Limits{MaxPartSize: 2 << 20}, &Spill{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].File == "" || m.Attachments[0].Data != nil {
		t.Fatalf("attachments = %+v, want one in a file", m.Attachments)
	}
	f := m.Attachments[0].File
	st, err := os.Stat(f)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || filepath.Dir(f) != dir {
		t.Errorf("spill file %s mode %v, want 0600 in %s", f, st.Mode().Perm(), dir)
	}
	if got := content(t, nil, f); !bytes.Equal(got, data[:2<<20]) {
		t.Errorf("spilled %d bytes, want the first %d", len(got), 2<<20)
	}
	if !strings.Contains(strings.Join(m.Problems, "; "), "truncated") {
		t.Errorf("Problems = %v, want the truncation noted", m.Problems)
	}
	if m.Text != "A large scan." {
		t.Errorf("Text = %q", m.Text)
	}
}

// A text body too long to be anyone's email is kept as a file, not read as the text.
func TestHugeTextBodyIsKeptAsAttachment(t *testing.T) {
	body := strings.Repeat("All work and no play.\r\n", 3000)
	raw := []byte("From: a@example.org\r\nSubject: long\r\nContent-Type: text/plain\r\n\r\n" + body)
	m, err := DecodeFrom(bytes.NewReader(raw), Limits{MaxTextBytes: 10000}, &Spill{Dir: t.TempDir(), Over: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "" || len(m.Attachments) != 1 || m.Attachments[0].Name != "body.txt" {
		t.Fatalf("Text %d bytes, attachments %+v; want no text and body.txt", len(m.Text), m.Attachments)
	}
	if got := content(t, m.Attachments[0].Data, m.Attachments[0].File); string(got) != body {
		t.Errorf("body.txt holds %d bytes, want %d", len(got), len(body))
	}
}

// With SpoolDir, the watcher streams each body into an owner-only file in a folder of
// its own, hands it over with its size and digest, and removes it once handled.
func TestWatcherSpoolsBodies(t *testing.T) {
	im := startIMAP(t)
	raw, _ := bigMessage("spooled", 2<<20)
	if err := im.Deliver("INBOX", raw, time.Time{}); err != nil {
		t.Fatal(err)
	}
	deliver(t, im, "small")
	base := filepath.Join(t.TempDir(), "spool")
	// What a csprbot that died left behind: a folder nobody holds, a loose file.
	if err := os.MkdirAll(filepath.Join(base, "run-dead"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "run-dead", "msg-1"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "stray"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := newStore(nil)
	var paths []string
	st.fail = func(f *Fetched) error {
		if f.UID == 2 { // "small": read into memory
			if f.Raw == nil || f.Spool != nil {
				return fmt.Errorf("small message: Raw %d bytes, Spool %v; want it in memory", len(f.Raw), f.Spool)
			}
			return nil
		}
		if f.Raw != nil || f.Spool == nil {
			return fmt.Errorf("uid %d: Raw %d bytes, Spool %v; want a spool only", f.UID, len(f.Raw), f.Spool)
		}
		b, err := os.ReadFile(f.Spool.Path)
		if err != nil {
			return err
		}
		fi, err := os.Stat(f.Spool.Path)
		if err != nil {
			return err
		}
		if fi.Mode().Perm() != 0o600 || f.Spool.Size != int64(len(b)) || f.Spool.SHA256 != sha256.Sum256(b) {
			return fmt.Errorf("uid %d: spool mode %v size %d, want 0600 and %d bytes with their digest", f.UID, fi.Mode().Perm(), f.Spool.Size, len(b))
		}
		if f.UID == 1 && !bytes.Equal(b, raw) {
			return fmt.Errorf("spooled %d bytes differ from the %d delivered", len(b), len(raw))
		}
		paths = append(paths, f.Spool.Path)
		return nil
	}
	w := testWatcher(im, st, func(c *IMAPConfig) { c.SpoolDir = base })
	if err := w.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || len(st.got) != 2 {
		t.Fatalf("handled %d messages, %d spooled; want 2, 1 spooled", len(st.got), len(paths))
	}
	for _, p := range paths {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there after handling (%v)", p, err)
		}
	}
	entries, _ := os.ReadDir(base)
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return e.Name() == baseLock })
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "run-") || entries[0].Name() == "run-dead" {
		t.Errorf("spool folder holds %v, want only this process's run- folder", entries)
	}
	if fi, err := os.Stat(base); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("spool folder mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}
}

// A server that sends more than imap.max_message_size for a message fails the fetch;
// nothing is kept.
func TestSpoolRefusesMoreThanMax(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{dir, ""} {
		raw, sp, err := readLiteral(bytes.NewReader(bytes.Repeat([]byte("x"), 200)), spoolAt(d), 100)
		if err == nil || sp != nil || raw != nil {
			t.Fatalf("readLiteral(200 bytes, dir %q, max 100) = %d bytes, %v, %v; want an error", d, len(raw), sp, err)
		}
		if !errors.Is(err, errOverMax) {
			t.Errorf("readLiteral(200 bytes, dir %q, max 100) = %v, want errOverMax", d, err)
		}
	}
	if raw, _, err := readLiteral(bytes.NewReader(bytes.Repeat([]byte("x"), 100)), nil, 100); err != nil || len(raw) != 100 {
		t.Fatalf("readLiteral(100 bytes, max 100) = %d bytes, %v", len(raw), err)
	}
	// Small in memory, larger in a file, whatever the server announced.
	big := bytes.Repeat([]byte("y"), inMemoryMax+1)
	if raw, sp, err := readLiteral(bytes.NewReader(big), spoolAt(dir), 2*inMemoryMax); err != nil || raw != nil || sp == nil || sp.Size != int64(len(big)) {
		t.Fatalf("readLiteral(%d bytes, dir) = %d bytes in memory, spool %+v, %v; want a spool", len(big), len(raw), sp, err)
	} else {
		got, _ := os.ReadFile(sp.Path)
		if !bytes.Equal(got, big) {
			t.Errorf("spooled %d bytes, want the %d read", len(got), len(big))
		}
		sp.Remove()
	}
	if raw, sp, err := readLiteral(bytes.NewReader(big[:inMemoryMax]), spoolAt(dir), 2*inMemoryMax); err != nil || sp != nil || len(raw) != inMemoryMax {
		t.Fatalf("readLiteral(%d bytes, dir) = %d bytes, spool %v, %v; want it in memory", inMemoryMax, len(raw), sp, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left %v behind", entries)
	}
}

// spoolAt is a spool folder function for readLiteral: dir, or none for "".
func spoolAt(dir string) func() (string, error) {
	if dir == "" {
		return nil
	}
	return func() (string, error) { return dir, nil }
}
