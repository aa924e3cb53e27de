package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The real binary under systemd's protocol: it says READY=1 once started, pings the
// watchdog, and on SIGTERM (systemctl stop) says STOPPING=1 and exits 0, well within
// the unit's TimeoutStopSec.
func TestServiceNotifyAndSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	e := newE2E(t)
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	sock := filepath.Join(dir, "notify.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var states []string
	go func() {
		buf := make([]byte, 4096)
		for {
			n, _, err := ln.ReadFromUnix(buf)
			if err != nil {
				return
			}
			mu.Lock()
			states = append(states, string(buf[:n]))
			mu.Unlock()
		}
	}()
	got := func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(states, ",") }

	e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("")}, time.Now())
	var stderr syncBuffer
	cmd := exec.Command(bin, "run", "--config", e.cfg)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=200000")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	eventually(t, 20*time.Second, "READY=1 and a watchdog ping", func() (bool, string) {
		s := got()
		return strings.Contains(s, "READY=1") && strings.Contains(s, "WATCHDOG=1"), s + "\n" + stderr.String()
	})
	db := openStore(t, e.dbPath())
	eventually(t, 20*time.Second, "the referral recorded", func() (bool, string) {
		return queryInt(db, `SELECT count(*) FROM cases`) == 1, stderr.String()
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("after SIGTERM: %v (want exit 0)\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second): // the unit's TimeoutStopSec is 60 s
		t.Fatalf("csprbot did not stop within 30 s of SIGTERM\n%s", stderr.String())
	}
	// The datagram is in the socket's queue once the process has exited; read it.
	eventually(t, 10*time.Second, "STOPPING=1 last", func() (bool, string) {
		s := got()
		return strings.HasSuffix(s, "STOPPING=1"), s
	})
	if !strings.Contains(stderr.String(), "csprbot stopped") {
		t.Errorf("log lacks 'csprbot stopped':\n%s", stderr.String())
	}
}

// The shipped unit passes systemd-analyze verify (where systemd is present), and keeps
// the sandboxing the README promises.
func TestServiceUnit(t *testing.T) {
	unit, err := os.ReadFile("deploy/csprbot.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Type=notify", "ProtectSystem=strict", "ReadWritePaths=/var/lib/csprbot", "NoNewPrivileges=true",
		"User=csprbot", "Restart=on-failure", "TimeoutStopSec=", "WatchdogSec=", "UMask=0077", "ExecStart=/usr/local/bin/csprbot run --config /etc/csprbot/csprbot.toml"} {
		if !bytes.Contains(unit, []byte(want)) {
			t.Errorf("csprbot.service lacks %s", want)
		}
	}
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze here")
	}
	// verify wants the ExecStart binary to exist: point it at one that does.
	dir := t.TempDir()
	p := filepath.Join(dir, "csprbot.service")
	os.WriteFile(p, bytes.ReplaceAll(unit, []byte("/usr/local/bin/csprbot"), []byte("/bin/true")), 0o644)
	out, err := exec.Command(sa, "verify", p).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
