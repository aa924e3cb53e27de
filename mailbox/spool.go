package mailbox

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Spool is a message body kept in an owner-only file while it is read, so that no
// message, however large (up to imap.max_message_size), is ever held whole in memory.
type Spool struct {
	Path   string
	Size   int64
	SHA256 [32]byte
}

// spoolFile writes r to a new owner-only file in dir, hashing it on the way. A read
// error keeps what was read and returns the error with the spool; any other failure
// removes the file and is a *SpoolError. dir must exist: a folder removed meanwhile (a
// message's spill folder, once it is recorded) is never made again here, so nothing is
// left behind in it. No fsync: a spool is only a step towards the store's commit, and
// the next start removes any left behind (openRunSpool).
func spoolFile(dir, pattern string, r io.Reader) (*Spool, error) {
	f, err := os.CreateTemp(dir, pattern) // mode 0600
	if err != nil {
		return nil, &SpoolError{Err: err}
	}
	h := sha256.New()
	er := &errReader{r: r}
	n, err := io.Copy(f, io.TeeReader(er, h))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil && er.err == nil {
		_ = os.Remove(f.Name())
		return nil, &SpoolError{Err: err}
	}
	s := &Spool{Path: f.Name(), Size: n}
	h.Sum(s.SHA256[:0])
	return s, er.err
}

// SpoolError is a failure to write to the spool beside the store (a full disk, a folder
// that cannot be made): a fault of this machine, not of the message, so the message is
// to be tried again, never recorded as if it had carried less.
type SpoolError struct{ Err error }

func (e *SpoolError) Error() string {
	if msg := e.Err.Error(); strings.HasPrefix(msg, "mailbox: spool: ") {
		return msg
	}
	return "mailbox: spool: " + e.Err.Error()
}
func (e *SpoolError) Unwrap() error { return e.Err }

// errReader remembers its reader's error, to tell it from the writer's.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// Open opens the spooled message for reading.
func (s *Spool) Open() (*os.File, error) { return os.Open(s.Path) }

// Remove deletes the spool file.
func (s *Spool) Remove() error {
	if err := os.Remove(s.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("mailbox: spool: %w", err)
	}
	return nil
}

// Head returns the message's header block (up to and including the blank line that
// ends it), at most max bytes.
func (s *Spool) Head(max int) ([]byte, error) {
	f, err := s.Open()
	if err != nil {
		return nil, fmt.Errorf("mailbox: spool: %w", err)
	}
	defer f.Close()
	return readHead(bufio.NewReader(f), max)
}

// readHead reads a header block up to and including the blank line that ends it (or
// to the end of input). Beyond max bytes it keeps reading, to leave br at the body, but
// drops what it reads.
func readHead(br *bufio.Reader, max int) ([]byte, error) {
	var head []byte
	startOfLine := true
	for {
		line, err := br.ReadSlice('\n')
		if len(head) < max {
			room := max - len(head)
			head = append(head, line[:min(len(line), room)]...)
		}
		blank := startOfLine && (bytes.Equal(line, []byte("\n")) || bytes.Equal(line, []byte("\r\n")))
		startOfLine = err == nil // a line cut at the buffer's size goes on
		if blank {
			return head, nil
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return head, nil
		}
		if err != nil {
			return head, err
		}
	}
}

// Spill says where decoding puts large attachments: in files in Dir, not in memory.
type Spill struct {
	Dir  string // a folder of this message's own: the caller removes it after recording
	Over int64  // attachments larger than this go to files; default 1 MiB
}

func (s *Spill) over() int64 {
	if s.Over <= 0 {
		return 1 << 20
	}
	return s.Over
}

// keep reads an attachment's content: into memory when small (or without a Spill),
// else into a file. It reports whether the content was cut at limit.
func (s *Spill) keep(r io.Reader, limit int64) (data []byte, file string, cut bool, err error) {
	lr := &io.LimitedReader{R: r, N: limit + 1}
	if s == nil || s.Dir == "" {
		data, err = io.ReadAll(lr)
		if int64(len(data)) > limit {
			data, cut = data[:limit], true
		}
		return data, "", cut, err
	}
	head, err := io.ReadAll(io.LimitReader(lr, s.over()+1))
	if err != nil || int64(len(head)) <= s.over() {
		return head, "", false, err
	}
	sp, err := spoolFile(s.Dir, "att-*", io.MultiReader(bytes.NewReader(head), lr))
	if sp == nil {
		return nil, "", false, err
	}
	if sp.Size > limit {
		cut = true
		if terr := os.Truncate(sp.Path, limit); terr != nil {
			_ = sp.Remove()
			return nil, "", false, &SpoolError{Err: terr}
		}
	}
	return nil, sp.Path, cut, err
}
