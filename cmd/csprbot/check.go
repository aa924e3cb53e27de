package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/templates"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// checker prints one line per check and counts the failures.
type checker struct {
	w        io.Writer
	problems int
	keys     map[string]bool // configuration keys already reported
}

func (c *checker) ok(what, detail string) { fmt.Fprintf(c.w, "ok    %-10s %s\n", what, detail) }
func (c *checker) fail(what, detail string) {
	c.problems++
	fmt.Fprintf(c.w, "FAIL  %-10s %s\n", what, oneLine(detail))
}
func (c *checker) note(what, detail string) { fmt.Fprintf(c.w, "      %-10s %s\n", what, detail) }

// cmdCheck is the pre-flight check an installer runs before the daemon: every problem in
// the configuration at once, then real logins to IMAP and SMTP, and with --send-test one
// email to a staff address. Exit 0 only when `csprbot run` would run.
func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, nil, []string{"config", "send-test"})
	if err != nil {
		return err
	}
	if len(f.args) > 0 {
		return usagef("check: unexpected argument %q", f.args[0])
	}
	path := f.last("config")
	if path == "" {
		return usagef("check: --config FILE is required (the embedded default needs no checking)")
	}
	c := &checker{w: stdout, keys: map[string]bool{}}
	cfg, valid := c.config(path)
	if cfg == nil {
		return fmt.Errorf("check: %d problem(s): csprbot would not start", c.problems)
	}
	c.local(ctx, cfg) // also on a configuration with problems: report everything at once
	if !valid {
		return fmt.Errorf("check: %d problem(s): csprbot would not start (mail servers not tried)", c.problems)
	}
	if c.problems > 0 {
		// The mail servers are not tried with a configuration the daemon would refuse.
		return fmt.Errorf("check: %d problem(s): csprbot would not start (mail servers not tried)", c.problems)
	}
	a := &app{cfg: cfg, log: newLogger(stderr, "warn"), now: time.Now}
	c.mail(ctx, a, f.last("send-test"))
	if c.problems > 0 {
		return fmt.Errorf("check: %d problem(s)", c.problems)
	}
	fmt.Fprintln(stdout, "all checks passed: csprbot run --config "+path+" would start")
	return nil
}

// config reads the file and reports every problem it can find: all unknown keys, every
// malformed address, and the first error of the full validation. It returns the
// configuration (with defaults, as far as it could be filled in) and whether it is valid.
func (c *checker) config(path string) (*Config, bool) {
	var raw Config
	md, err := toml.DecodeFile(path, &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			c.fail("config", fmt.Sprintf("%s: line %d: %s", path, pe.Position.Line, pe.Message))
		} else {
			c.fail("config", fmt.Sprintf("%s: %v", path, err))
		}
		return nil, false
	}
	for _, k := range md.Undecoded() {
		c.fail("config", "unknown key "+k.String())
	}
	addr := func(key, v string, required bool) {
		if v == "" {
			if required {
				c.keys[key] = true
				c.fail("config", key+": required")
			}
			return
		}
		if _, err := mail.ParseAddress(v); err != nil || !strings.Contains(v, "@") {
			c.keys[key] = true
			c.fail("config", fmt.Sprintf("%s: %q is not an email address", key, v))
		}
	}
	addr("smtp.from", raw.SMTP.From, true)
	for k, v := range map[string]string{"addresses.national_panel": raw.Addresses.NationalPanel, "addresses.ofsted": raw.Addresses.Ofsted,
		"addresses.dfe": raw.Addresses.DfE, "addresses.nspcc": raw.Addresses.NSPCC, "addresses.subgroup": raw.Addresses.Subgroup,
		"addresses.partners": raw.Addresses.Partners} {
		addr(k, v, false)
	}
	for i, s := range raw.Staff {
		addr(fmt.Sprintf("staff[%d].email", i), s.Email, true)
	}
	for i, ag := range raw.Agency {
		addr(fmt.Sprintf("agency[%d].email", i), ag.Email, true)
		addr(fmt.Sprintf("agency[%d].strategic_lead", i), ag.StrategicLead, false)
	}
	if len(raw.Staff) == 0 {
		c.fail("config", "[[staff]]: none configured: nobody would be told what needs a person, nor could approve")
	}
	cfg, err := loadConfig(path)
	if err != nil {
		// The first error of the full validation, unless already reported above.
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "config "+path+": "), "config: ")
		key, _, _ := strings.Cut(msg, ":")
		if !c.keys[key] && !(len(md.Undecoded()) > 0 && strings.HasPrefix(msg, "unknown key")) {
			c.fail("config", msg)
		}
		raw.dir = filepath.Dir(path)
		_ = raw.finish() // defaults and paths, for the checks that follow
		return &raw, false
	}
	if c.problems > 0 {
		return cfg, false
	}
	c.ok("config", fmt.Sprintf("%s: %d staff, %d agencies", path, len(cfg.Staff), len(cfg.Agency)))
	return cfg, true
}

// local checks what needs no network: rules, calendar, templates, the store, backups.
func (c *checker) local(ctx context.Context, cfg *Config) {
	if _, err := cfg.rules(); err != nil {
		c.fail("rules", err.Error())
	} else {
		c.ok("rules", "every deadline rule computes")
	}
	if _, err := tracker.NewCalendar(cfg.Calendar.ExtraHolidays); err != nil {
		c.fail("calendar", err.Error())
	}
	if _, err := templates.New(cfg.Templates.Dir); err != nil {
		c.fail("templates", err.Error())
	} else {
		where := "embedded"
		if cfg.Templates.Dir != "" {
			where = "embedded, overridden from " + cfg.Templates.Dir
		}
		c.ok("templates", "every template renders with sample data ("+where+")")
	}
	c.writable("store", filepath.Dir(cfg.Store.Path))
	switch v, err := storeVersion(ctx, cfg.Store.Path); {
	case errors.Is(err, fs.ErrNotExist):
		c.fail("store", "no store at "+cfg.Store.Path+": run csprbot init --config FILE once")
	case err != nil:
		c.fail("store", err.Error())
	case v > tracker.SchemaVersion():
		c.fail("store", fmt.Sprintf("%s has schema %d, newer than this csprbot (%d): install the newer csprbot", cfg.Store.Path, v, tracker.SchemaVersion()))
	default:
		c.ok("store", fmt.Sprintf("%s (schema %d of %d)", cfg.Store.Path, v, tracker.SchemaVersion()))
	}
	if cfg.Backup.Dir != "" {
		c.writable("backup", cfg.Backup.Dir)
	}
}

func storeVersion(ctx context.Context, path string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	return tracker.StoreVersion(ctx, path)
}

// writable tries to create (and removes) a file in dir. It creates nothing else: a
// folder that does not exist yet is checked through its parent, which csprbot would
// create it in.
func (c *checker) writable(what, dir string) {
	probe, note := dir, ""
	for {
		fi, err := os.Stat(probe)
		if err == nil && fi.IsDir() {
			break
		}
		if err == nil {
			c.fail(what, probe+" is not a folder")
			return
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(probe) == probe {
			c.fail(what, err.Error())
			return
		}
		note = " (" + dir + " does not exist yet; csprbot creates it)"
		probe = filepath.Dir(probe)
	}
	f, err := os.CreateTemp(probe, ".csprbot-check-*")
	if err != nil {
		c.fail(what, probe+" is not writable by this user: "+err.Error())
		return
	}
	f.Close()
	os.Remove(f.Name())
	c.ok(what, probe+" is writable"+note)
}

// mail signs in to IMAP and SMTP for real and, with sendTo, sends one test email.
func (c *checker) mail(ctx context.Context, a *app, sendTo string) {
	cfg := a.cfg
	if cfg.IMAP.Auth == "oauth2" || cfg.SMTP.Auth == "oauth2" {
		ts, err := a.oauth.get(cfg)
		if err == nil {
			tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			_, err = ts.Token(tctx) // never printed
			cancel()
		}
		if err != nil {
			c.fail("oauth2", err.Error())
			return
		}
		c.ok("oauth2", "an app-only token was obtained for client "+cfg.OAuth2.ClientID)
	}
	ictx, cancel := context.WithTimeout(ctx, time.Minute)
	ir, err := mailbox.CheckIMAP(ictx, a.imapConfig())
	cancel()
	if err != nil {
		c.fail("imap", err.Error())
	} else {
		c.ok("imap", fmt.Sprintf("%s as %s, TLS: %s", cfg.IMAP.Address, cfg.IMAP.Username, ir.TLS))
		c.note("", fmt.Sprintf("mailbox %s found: %d messages, UIDVALIDITY %d", ir.Mailbox, ir.Messages, ir.UIDValidity))
		if ir.Idle {
			c.note("", "IDLE: yes (new mail is noticed at once; polled as well)")
		} else {
			c.note("", "IDLE: no (polled every imap.poll_interval)")
		}
		if ir.DoneFolder != "" {
			c.note("", "done folder: "+ir.DoneFolder)
		}
		c.note("", "capabilities: "+strings.Join(ir.Capabilities, " "))
	}
	s, err := a.smtp()
	if err != nil {
		c.fail("smtp", err.Error())
		return
	}
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	sr, err := s.Check(sctx)
	cancel()
	if err != nil {
		c.fail("smtp", err.Error())
		return
	}
	login := "no login (auth = none)"
	if sr.LoggedIn {
		login = "logged in as " + cfg.SMTP.Username
	}
	c.ok("smtp", fmt.Sprintf("%s, %s, TLS: %s", cfg.SMTP.Address, login, sr.TLS))
	c.note("", "extensions: "+strings.Join(sr.Extensions, ", "))
	if sendTo == "" {
		return
	}
	to := strings.ToLower(strings.TrimSpace(sendTo))
	staff := false
	for _, st := range cfg.Staff {
		staff = staff || strings.EqualFold(st.Email, to)
	}
	if !staff {
		c.fail("send-test", to+" is not a [[staff]] address: the test email goes only to staff")
		return
	}
	dom := cfg.Mail.MessageIDDomain
	if dom == "" {
		_, dom, _ = strings.Cut(cfg.SMTP.From, "@")
	}
	host, _ := os.Hostname()
	now := time.Now()
	m := &tracker.OutEmail{
		MessageID: fmt.Sprintf("csprbot.check.%d@%s", now.UnixNano(), dom),
		From:      cfg.Partnership.Name + " <" + cfg.SMTP.From + ">",
		To:        []string{to},
		Subject:   "csprbot check: test email",
		Text: "This is a test email from csprbot check on " + host + ", sent " + now.UTC().Format(time.RFC1123Z) + ".\n\n" +
			"If you can read it, csprbot can send mail as " + cfg.SMTP.From + ". Nothing needs doing.\n",
		Headers: map[string]string{"Auto-Submitted": "auto-generated", tracker.LoopHeader: dom},
		Date:    now,
	}
	sctx, cancel = context.WithTimeout(ctx, time.Minute)
	err = s.Send(sctx, m)
	cancel()
	if err != nil {
		c.fail("send-test", err.Error())
		return
	}
	c.ok("send-test", "a test email went to "+to+" (Message-ID "+m.MessageID+")")
}
