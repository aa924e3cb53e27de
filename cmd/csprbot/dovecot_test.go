package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// dovecot is a real Dovecot IMAP server on a loopback port, with one passwd-file user
// and a Maildir in a temporary folder: proof that the IMAP client works against a server
// other than go-imap's own. .ci/run installs Debian's dovecot-imapd; without it the test
// is skipped (and says so), unless CSPRBOT_REQUIRE_DOVECOT=1 makes that a failure.
type dovecot struct {
	addr, user, pass string
	cmd              *exec.Cmd
}

func startDovecot(t *testing.T) *dovecot {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		if os.Getenv("CSPRBOT_REQUIRE_DOVECOT") == "1" {
			t.Fatal("dovecot is not installed (apt-get install dovecot-imapd)")
		}
		t.Skip("dovecot is not installed; .ci/run installs dovecot-imapd")
	}
	if os.Geteuid() != 0 {
		t.Skip("dovecot as a test peer needs root here")
	}
	dir, err := os.MkdirTemp("", "csprbot-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	d := &dovecot{addr: fmt.Sprintf("127.0.0.1:%d", port), user: "safeguardingpartnership@lewisham.gov.uk", pass: "secret"}
	mail := filepath.Join(dir, "mail")
	os.MkdirAll(mail, 0o755)
	os.Chown(mail, 65534, 65534)
	os.WriteFile(filepath.Join(dir, "passwd"), []byte(d.user+":{PLAIN}"+d.pass+"::::::\n"), 0o644)
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
info_log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN %[1]s/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=%[1]s/mail/%%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`, dir, port)
	cf := filepath.Join(dir, "dovecot.conf")
	os.WriteFile(cf, []byte(conf), 0o644)
	d.cmd = exec.Command(bin, "-F", "-c", cf)
	var stderr bytes.Buffer
	d.cmd.Stderr = &stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		d.cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", d.addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot did not start: %v\n%s\n%s", err, stderr.String(), log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

// login opens an IMAP session to Dovecot as the partnership's user.
func (d *dovecot) login(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(d.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(d.user, d.pass).Wait(); err != nil {
		c.Close()
		t.Fatal(err)
	}
	return c
}

// append puts a message into the user's INBOX through IMAP APPEND.
func (d *dovecot) append(t *testing.T, raw []byte, at time.Time) {
	t.Helper()
	c := d.login(t)
	defer c.Close()
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: at})
	cmd.Write(raw)
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// seenCount says how many INBOX messages carry \Seen.
func (d *dovecot) seenCount(t *testing.T) (seen, total int) {
	t.Helper()
	c := d.login(t)
	defer c.Close()
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	total = int(sel.NumMessages)
	data, err := c.Search(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(data.AllSeqNums()), total
}

func TestEndToEndDovecot(t *testing.T) {
	d := startDovecot(t)
	e := newE2E(t)
	// Point the daemon at Dovecot instead of the in-process IMAP server.
	cfg, _ := os.ReadFile(e.cfg)
	os.WriteFile(e.cfg, []byte(strings.Replace(string(cfg), e.imap.Addr, d.addr, 1)), 0o600)

	now := time.Now().UTC().Truncate(time.Second)
	ref := demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral", body: "Referral attached.",
		attachName: "referral.docx", attach: demoReferral()}
	d.append(t, ref.raw("safeguardingpartnership@lewisham.gov.uk", now, 1), now)
	e.run(0, "run", "--once")
	if seen, total := d.seenCount(t); seen != 1 || total != 1 {
		t.Errorf("after the run Dovecot has %d of %d messages \\Seen, want 1 of 1", seen, total)
	}
	// The same message again, and a restart: one case, one acknowledgement.
	d.append(t, ref.raw("safeguardingpartnership@lewisham.gov.uk", now, 1), now)
	e.run(0, "run", "--once")
	e.run(0, "run", "--once")
	out := e.run(0, "cases")
	if strings.Count(out, "LSCP-") != 1 {
		t.Errorf("cases:\n%s\nwant exactly one case", out)
	}
	if n := len(e.sentTo("safeguarding@lgt-nhs.example")); n != 1 {
		t.Errorf("%d acknowledgements, want 1", n)
	}
}
