package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/lewisham-lscp/csprbot/mailbox"
)

// readOAuth2Secret reads oauth2.client_certificate_file if given; otherwise it takes the
// client secret from CSPRBOT_OAUTH2_CLIENT_SECRET, or else from oauth2.client_secret_file. It is kept out of the configuration file so that file
// can be read by those who administer csprbot without giving them the mailbox.
func (c *Config) readOAuth2Secret() error {
	if p := c.OAuth2.ClientCertificateFile; p != "" {
		if !filepath.IsAbs(p) && c.dir != "" {
			p = filepath.Join(c.dir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return usagef("config: oauth2.client_certificate_file: %v", err)
		}
		c.OAuth2.cert = b
		return nil
	}
	if v := os.Getenv("CSPRBOT_OAUTH2_CLIENT_SECRET"); v != "" {
		c.OAuth2.secret = strings.TrimSpace(v)
		return nil
	}
	if c.OAuth2.ClientSecretFile == "" {
		return nil
	}
	p := c.OAuth2.ClientSecretFile
	if !filepath.IsAbs(p) && c.dir != "" {
		p = filepath.Join(c.dir, p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return usagef("config: oauth2.client_secret_file: %v", err)
	}
	c.OAuth2.secret = strings.TrimSpace(string(b))
	return nil
}

// validateOps checks the keys of sign-in, backups, the HTTP listener and logging.
func (c *Config) validateOps() error {
	if c.IMAP.Auth == "oauth2" || c.SMTP.Auth == "oauth2" {
		switch {
		case c.OAuth2.ClientID == "":
			return usagef("config: oauth2.client_id: required with auth = \"oauth2\" (the Entra ID app's Application (client) ID)")
		case c.OAuth2.TenantID == "" && c.OAuth2.TokenURL == "":
			return usagef("config: oauth2.tenant_id: required with auth = \"oauth2\" (the Directory (tenant) ID)")
		case c.OAuth2.secret == "" && len(c.OAuth2.cert) == 0:
			return usagef("config: oauth2.client_secret_file: required with auth = \"oauth2\" (or set CSPRBOT_OAUTH2_CLIENT_SECRET, or give oauth2.client_certificate_file)")
		}
	}
	switch c.Log.Format {
	case "", "text", "json":
	default:
		return usagef("config: log.format: %q is not one of text, json", c.Log.Format)
	}
	if c.Backup.Keep < 0 {
		return usagef("config: backup.keep: %d is negative", c.Backup.Keep)
	}
	if h := c.Backup.Hour; h != nil && (*h < 0 || *h > 23) {
		return usagef("config: backup.hour: %d is not an hour 0–23", *h)
	}
	if c.HTTP.Listen != "" {
		host, _, err := net.SplitHostPort(c.HTTP.Listen)
		if err != nil {
			return usagef("config: http.listen: %q is not host:port", c.HTTP.Listen)
		}
		if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			return usagef("config: http.listen: %q is not on loopback (127.0.0.1 or ::1): health and metrics are for this machine's monitoring agent", c.HTTP.Listen)
		}
	}
	return nil
}

// oauth2Config is the mailbox package's part.
func (c *Config) oauth2Config() mailbox.OAuth2Config {
	oc := mailbox.OAuth2Config{TenantID: c.OAuth2.TenantID, ClientID: c.OAuth2.ClientID,
		ClientSecret: c.OAuth2.secret, ClientCertificate: c.OAuth2.cert, TokenURL: c.OAuth2.TokenURL}
	if c.OAuth2.Scope != "" {
		oc.Scopes = strings.Fields(c.OAuth2.Scope)
	}
	return oc
}

// tokens holds the one token source IMAP and SMTP share, made on first use so that
// reporting commands never need the secret.
type tokens struct {
	once sync.Once
	ts   *mailbox.TokenSource
	err  error
}

func (t *tokens) get(c *Config) (*mailbox.TokenSource, error) {
	t.once.Do(func() { t.ts, t.err = mailbox.NewTokenSource(c.oauth2Config()) })
	return t.ts, t.err
}

// oauth2Auth is the XOAUTH2 login with csprbot's own tokens (auth = "oauth2").
func (a *app) oauth2Auth(user string) mailbox.Auth {
	ts, err := a.oauth.get(a.cfg)
	if err != nil {
		return mailbox.XOAUTH2Auth(user, func(context.Context) (string, error) { return "", fmt.Errorf("oauth2: %w", err) })
	}
	return mailbox.OAuth2Auth(user, ts)
}

// configLogger is the daemon's logger: text, or one JSON object a line (log.format =
// "json") for a SIEM. Neither ever carries a secret or a token: none is passed to it.
func configLogger(w io.Writer, c *Config) *slog.Logger {
	if c.Log.Format != "json" {
		return newLogger(w, c.Log.Level)
	}
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.Log.Level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
