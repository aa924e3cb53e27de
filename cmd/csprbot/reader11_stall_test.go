//go:build unix

// Second reader, issue 11 (see reader11_spool_test.go): a reader left behind by the stall
// timer leaks nothing into the spool. Unix only: it needs a FIFO.

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
)

// When reading a message overruns app.stallAfter, handle returns and removes the
// message's spill folder (defer os.RemoveAll) while the reading goroutine is still
// decoding. The next attachment it spills recreates the folder (spoolFile's MkdirAll)
// and its file stays there, holding case material, until the process restarts: the
// watcher's run folder is only swept at the next start. "Spool files never leak."
// The spool file is a FIFO here so that the decoder is still running, deterministically,
// when the stall fires.
// Fixed: a reader left behind owns the spill folder and removes it when it ends, and
// spoolFile never makes a folder again.
func TestReader11StalledReadLeaksSpilledAttachments(t *testing.T) {
	e := newE2E(t)
	cfg, _, err := loadAppConfig(e.cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := openApp(ctx, cfg, false, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.stallAfter = 300 * time.Millisecond

	run := filepath.Join(t.TempDir(), "run-1")
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(run, "msg-1")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	head := "From: safeguarding@lgt-nhs.example\r\nTo: safeguardingpartnership@lewisham.gov.uk\r\nSubject: Referral\r\n" +
		"Message-ID: <stall-1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
	part := func(name string) string {
		buf := make([]byte, 3<<19) // 1.5 MiB: over Spill.Over
		_, _ = rand.Read(buf)
		return "--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + wrap76(base64.StdEncoding.EncodeToString(buf)) + "\r\n"
	}
	first, second := part("photo1.bin"), part("photo2.bin")
	handled := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() {
		// First open: Spool.Head reads the header block.
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			writerDone <- err
			return
		}
		_, _ = io.WriteString(w, head)
		w.Close()
		// Second open: the decoder. One attachment, then wait until handle has given up.
		w, err = os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			writerDone <- err
			return
		}
		_, _ = io.WriteString(w, head+first)
		<-handled
		_, err = io.WriteString(w, second+"--b1--\r\n")
		w.Close()
		writerDone <- err
	}()
	f := &mailbox.Fetched{Mailbox: "INBOX", UIDValidity: 1, UID: 1, InternalDate: time.Now(), Size: 5 << 20,
		Spool: &mailbox.Spool{Path: fifo, Size: 5 << 20}}
	herr := a.handle(ctx, f)
	close(handled)
	if herr == nil {
		t.Fatal("handle returned nil: the read did not stall as the test meant it to")
	}
	select {
	case err := <-writerDone:
		if err != nil {
			t.Fatalf("writer: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the decoder never read the rest of the message")
	}
	time.Sleep(1 * time.Second) // let the abandoned reader finish spilling and parsing
	var left []string
	_ = filepath.Walk(run, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && p != fifo {
			st, _ := os.Stat(p)
			left = append(left, fmt.Sprintf("%s (%d bytes)", strings.TrimPrefix(p, run+"/"), st.Size()))
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("handle returned (%v), its spill folder was removed, and the reader it left behind wrote %v into the spool, where it stays until the next start", herr, left)
	}
}
