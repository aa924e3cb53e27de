// Command csprbot runs the paperwork of Child Safeguarding Practice Reviews: it reads the
// partnership's mailbox, tracks every case and agency return against its deadline, and
// sends the requests, reminders, chasers and notices. See README.md and cli.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const usage = `usage:
  csprbot init [--config FILE]               create the store (run on the embedded default creates its own)
  csprbot run [--config FILE] [--once] [--now TIME]
  csprbot demo [--out DIR] [--lcspr]          a case on a simulated clock; --lcspr carries it on through the local review
  csprbot parse [--password PW] FILE...
  csprbot cases [--json] [--config FILE] [--now TIME]
  csprbot case REF [--json] [--config FILE] [--now TIME]
  csprbot outbox [--json] [--all]            email held or refused, waiting for a person
  csprbot release MESSAGE-ID [--as NAME]     send a held email
  csprbot address [list] | address clear ADDRESS [--release]   addresses bounced or refused; clear one (and release its held mail)
  csprbot case REF scoping [--agency NAME]... [--config FILE] [--now TIME]
  csprbot case REF meeting TIME [--force] | meeting cancel   (TIME: RFC 3339, or "2027-01-05 10:00" London)
  csprbot case REF approve
  csprbot case REF notified panel|ofsted [--date YYYY-MM-DD]
  csprbot case REF aware YYYY-MM-DD
  csprbot case REF extend AGENCY --date YYYY-MM-DD
  csprbot case REF waive AGENCY
  csprbot case REF chronology [--out FILE]   the combined multi-agency chronology as a .docx (a draft)
  csprbot case REF panel-papers [--out FILE] the local review panel's papers in one .docx (a draft)
  csprbot case REF decision local|national|alternative|none [--date YYYY-MM-DD]   after the Rapid Review, or the National Panel's answer
  csprbot case REF tor FILE                   the Terms of Reference (Appendix 6): timetable, agencies, lead reviewer
  csprbot case REF reviewer NAME [--email ADDR]   the lead reviewer; the notice to the Panel, Ofsted and the DfE waits for approval
  csprbot case REF request chronology|agency_report [--agency NAME]... --due YYYY-MM-DD
  csprbot case REF more AGENCY --due YYYY-MM-DD --what TEXT   send a chronology or agency report back for more
  csprbot case REF family-letter [--out FILE]   the family letter and leaflet (Appendix 7, 8) for the lead reviewer to send by hand
  csprbot case REF status                    the case's journey: every deadline, done, to come or late
  csprbot case REF done STEP [--date YYYY-MM-DD]   a step of the Terms of Reference's timetable done (the start of its name will do)
  csprbot case REF learning-event TIME [--venue TEXT]   the practitioner learning event; invitations with a calendar request
  csprbot case REF learning-event cancel     cancel it; everyone invited gets an iCalendar CANCEL
  csprbot case REF final-report FILE --publish YYYY-MM-DD [--force]   copies to the Panel, Ofsted and the DfE (held), at least 7 WD ahead
  csprbot case REF published [--date YYYY-MM-DD] [--url URL]   publication recorded; the NSPCC submission (held)
  csprbot case REF action-plan FILE           each action (owner agency, due date) tracked until evidenced
  csprbot case REF signed-off A1 [A2...]|all  the MESI subgroup signed off these actions' evidence (its reply "Signed off" by email does too)
  csprbot case REF approve [WHAT]             approve what is held (submission, reviewer, final-report, nspcc)
  csprbot digest [--html] [--config FILE] [--now TIME]   preview the weekly digest (staff may also email Digest, on no case, for it now)
  csprbot check --config FILE [--send-test ADDRESS]   pre-flight: configuration, store, real IMAP and SMTP logins
  csprbot backup DEST [--config FILE]        a consistent copy of the store, while the daemon runs
  csprbot restore-test DEST                  open a copy read-only: integrity, schema version, counts
  csprbot import cases.csv [--dry-run] [--config FILE] [--now TIME]   bring in cases already running (all rows or none)
TIME is RFC 3339, e.g. 2026-12-07T09:00:00Z.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs one command and returns the exit status: 0 success, 2 bad input or usage,
// 1 failure at run time.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "parse":
		return runParse(args[1:], stdout, stderr)
	case "init":
		err = cmdInit(ctx, args[1:], stdout, stderr)
	case "run":
		err = cmdRun(ctx, args[1:], stdout, stderr)
	case "demo":
		err = cmdDemo(ctx, args[1:], stdout, stderr)
	case "cases":
		err = cmdCases(ctx, args[1:], stdout)
	case "outbox":
		err = cmdOutbox(ctx, args[1:], stdout)
	case "release":
		err = cmdRelease(ctx, args[1:], stdout)
	case "address":
		err = cmdAddress(ctx, args[1:], stdout)
	case "case":
		err = cmdCase(ctx, args[1:], stdout)
	case "digest":
		err = cmdDigest(ctx, args[1:], stdout)
	case "check":
		err = cmdCheck(ctx, args[1:], stdout, stderr)
	case "backup":
		err = cmdBackup(ctx, args[1:], stdout, stderr)
	case "restore-test":
		err = cmdRestoreTest(ctx, args[1:], stdout)
	case "import":
		err = cmdImport(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return 0
	default:
		err = usagef("unknown command %q (csprbot help lists the commands)", args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "csprbot: "+err.Error())
		return 2
	default:
		fmt.Fprintln(stderr, "csprbot: "+oneLine(err.Error()))
		return 1
	}
}

// flags is a small parser that accepts flags anywhere among the arguments, as
// `csprbot case REF scoping --agency X` needs.
type flags struct {
	bools  map[string]*bool
	values map[string]*[]string
	args   []string
}

func parseFlags(args []string, boolNames, valueNames []string) (*flags, error) {
	f := &flags{bools: map[string]*bool{}, values: map[string]*[]string{}}
	for _, n := range boolNames {
		f.bools[n] = new(bool)
	}
	for _, n := range valueNames {
		f.values[n] = new([]string)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			f.args = append(f.args, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			f.args = append(f.args, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if b, ok := f.bools[name]; ok {
			if hasVal {
				return nil, usagef("flag --%s takes no value", name)
			}
			*b = true
			continue
		}
		v, ok := f.values[name]
		if !ok {
			return nil, usagef("unknown flag %s", a)
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, usagef("flag --%s needs a value", name)
			}
			i++
			val = args[i]
		}
		*v = append(*v, val)
	}
	return f, nil
}

func (f *flags) bool(n string) bool { return *f.bools[n] }
func (f *flags) last(n string) string {
	v := *f.values[n]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}
func (f *flags) all(n string) []string { return *f.values[n] }

// clockFrom returns the clock: real time, or with --now, time running on from that moment.
func clockFrom(now string) (func() time.Time, error) {
	if now == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, now)
	if err != nil {
		return nil, usagef("--now: %q is not an RFC 3339 time like 2026-12-07T09:00:00Z", now)
	}
	start := time.Now()
	return func() time.Time { return t.Add(time.Since(start)) }, nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// openFromFlags loads the configuration and opens the app for a reporting command.
func openFromFlags(ctx context.Context, f *flags, stderr io.Writer) (*app, error) {
	return openFlagged(ctx, f, stderr, openApp)
}

// openFlagged loads the configuration --config names (or the embedded default), the
// clock --now sets, requires the store to be there, and opens the app with open.
func openFlagged(ctx context.Context, f *flags, stderr io.Writer, open func(context.Context, *Config, bool, func() time.Time, *slog.Logger) (*app, error)) (*app, error) {
	cfg, embedded, err := loadAppConfig(f.last("config"), defaultDataDir)
	if err != nil {
		return nil, err
	}
	clock, err := clockFrom(f.last("now"))
	if err != nil {
		return nil, err
	}
	if err := requireStore(cfg.Store.Path, embedded, f.last("config")); err != nil {
		return nil, err
	}
	return open(ctx, cfg, embedded, clock, newLogger(stderr, "warn"))
}
