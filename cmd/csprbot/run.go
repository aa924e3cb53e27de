package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/mailbox/devserver"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// servers are the embedded default's loopback IMAP and SMTP servers.
type servers struct {
	imap   *devserver.IMAP
	smtp   *devserver.SMTPSink
	emlDir string
}

func (s *servers) Close() {
	if s.smtp != nil {
		s.smtp.Close()
	}
	if s.imap != nil {
		s.imap.Close()
	}
}

// startServers starts the in-process mail servers on the configured loopback addresses
// (or any free port if those are taken) and points cfg at them. Mail sent to the
// partnership's own address is delivered into its inbox, so a person can write in with
// any mail client.
func startServers(cfg *Config, emlDir string) (*servers, error) {
	s := &servers{emlDir: emlDir}
	var err error
	if s.imap, err = devserver.StartIMAP(cfg.IMAP.Address, cfg.IMAP.Username, cfg.IMAP.Password); err != nil {
		if s.imap, err = devserver.StartIMAP("127.0.0.1:0", cfg.IMAP.Username, cfg.IMAP.Password); err != nil {
			return nil, fmt.Errorf("start IMAP server: %w", err)
		}
	}
	if err := os.MkdirAll(emlDir, 0o700); err != nil {
		s.Close()
		return nil, err
	}
	if s.smtp, err = devserver.StartSMTP(cfg.SMTP.Address, emlDir); err != nil {
		if s.smtp, err = devserver.StartSMTP("127.0.0.1:0", emlDir); err != nil {
			s.Close()
			return nil, fmt.Errorf("start SMTP server: %w", err)
		}
	}
	own := strings.ToLower(cfg.IMAP.Username)
	s.smtp.OnDeliver(func(r devserver.Received) {
		for _, to := range r.To {
			if strings.EqualFold(to, own) {
				_ = s.imap.Deliver("INBOX", r.Data, time.Now())
				return
			}
		}
	})
	cfg.IMAP.Address, cfg.SMTP.Address = s.imap.Addr, s.smtp.Addr
	return s, nil
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, []string{"once"}, []string{"config", "now"})
	if err != nil {
		return err
	}
	if len(f.args) > 0 {
		return usagef("run: unexpected argument %q", f.args[0])
	}
	cfg, embedded, err := loadAppConfig(f.last("config"), defaultDataDir)
	if err != nil {
		return err
	}
	clock, err := clockFrom(f.last("now"))
	if err != nil {
		return err
	}
	log := configLogger(stderr, cfg)
	if !embedded {
		// A first installation (no store, and no trace that one was ever here) creates its
		// store, as csprbot init would; a store that was here and is gone is an accident
		// to notice, not to paper over (storetrace.go).
		err := requireStore(cfg.Store.Path, false, f.last("config"))
		if err != nil && !storeWasHere(cfg.Store.Path) {
			if _, serr := os.Stat(cfg.Store.Path); errors.Is(serr, fs.ErrNotExist) {
				log.Info("no store yet: creating one (first run)", "store", cfg.Store.Path)
				err = nil
			}
		}
		if err != nil {
			return err
		}
	}
	if embedded {
		srv, err := startServers(cfg, filepath.Join(defaultDataDir, "sent"))
		if err != nil {
			return err
		}
		defer srv.Close()
		srv.smtp.OnDeliver(func(r devserver.Received) {
			for _, p := range r.Problems {
				log.Warn("the loopback SMTP server's strict reader rejects an email csprbot sent", "message_id", r.MessageID, "problem", p)
			}
		})
		fmt.Fprintf(stdout, `csprbot is running on its embedded default.
  IMAP (the partnership's inbox): %s  user %s  password %s  (no TLS, loopback only)
  SMTP (csprbot sends here; mail to %s lands in the inbox): %s  (no login)
  Store: %s
  Every email csprbot sends is also kept as an .eml file in %s
Send a referral form (.docx) to %s with any mail client pointed at these servers,
then look at it with: csprbot cases   (or run csprbot demo to see a whole case played through)
`, cfg.IMAP.Address, cfg.IMAP.Username, cfg.IMAP.Password, cfg.IMAP.Username, cfg.SMTP.Address,
			cfg.Store.Path, srv.emlDir, cfg.IMAP.Username)
	}
	a, err := openApp(ctx, cfg, embedded, clock, log)
	if err != nil {
		return err
	}
	defer a.Close()
	w := mailbox.NewWatcher(a.imapConfig(), a.store.Cursor, a.handle)
	s, err := a.smtp()
	if err != nil {
		return usagef("config: smtp: %v", err)
	}
	// The store file deleted or replaced under csprbot: stop, with the reason.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	go func() {
		select {
		case <-a.store.FileGone():
			stop(a.store.CheckFile())
		case <-ctx.Done():
		}
	}()
	if f.bool("once") {
		return a.cycle(ctx, w, s)
	}
	log.Info("csprbot started", "imap", cfg.IMAP.Address, "smtp", cfg.SMTP.Address, "store", cfg.Store.Path)
	if addr, err := a.serveHTTP(ctx, w); err != nil {
		return fmt.Errorf("http.listen: %w", err)
	} else if addr != "" {
		log.Info("health and metrics on loopback", "healthz", "http://"+addr+"/healthz", "metrics", "http://"+addr+"/metrics")
	}
	go newNightly(a).run(ctx) // [backup]: nothing unless backup.dir is set
	go a.watchdog(ctx)        // systemd's WatchdogSec, when set
	_ = sdNotify("READY=1")   // systemd Type=notify: started
	err = a.daemon(ctx, w, s, 30*time.Second)
	_ = sdNotify("STOPPING=1")
	log.Info("csprbot stopped", "reason", context.Cause(ctx))
	if cause := context.Cause(ctx); errors.Is(cause, tracker.ErrStoreMoved) {
		log.Error("stopping: the store file is gone", "err", cause)
		return cause
	}
	return err
}
