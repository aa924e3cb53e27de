package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeConfig writes e2eConfig (with the given addresses) changed by edit, and returns its path.
func writeConfig(t *testing.T, dir, name string, edit func(string) string) string {
	t.Helper()
	body := strings.NewReplacer("IMAPADDR", "127.0.0.1:1", "SMTPADDR", "127.0.0.1:2").Replace(e2eConfig)
	if edit != nil {
		body = edit(body)
	}
	p := filepath.Join(dir, name+".toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOAuth2ConfigKeys(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "client-secret")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	oauth := func(lines ...string) func(string) string {
		return func(c string) string {
			c = strings.Replace(c, "password = \"secret\"\n", "auth = \"oauth2\"\n", 1)
			return withKeys(c, "oauth2", lines...)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(string) string
		want string // "" : loads
	}{
		{"complete", oauth(`tenant_id = "contoso.onmicrosoft.com"`, `client_id = "c1"`, `client_secret_file = "client-secret"`), ""},
		{"no client id", oauth(`tenant_id = "t"`, `client_secret_file = "client-secret"`), "oauth2.client_id"},
		{"no tenant", oauth(`client_id = "c1"`, `client_secret_file = "client-secret"`), "oauth2.tenant_id"},
		{"no secret", oauth(`tenant_id = "t"`, `client_id = "c1"`), "oauth2.client_secret_file"},
		{"secret file missing", oauth(`tenant_id = "t"`, `client_id = "c1"`, `client_secret_file = "nope"`), "oauth2.client_secret_file"},
		{"certificate file missing", oauth(`tenant_id = "t"`, `client_id = "c1"`, `client_certificate_file = "nope.pem"`), "oauth2.client_certificate_file"},
		{"bad auth", func(c string) string { return strings.Replace(c, `auth = "none"`, `auth = "kerberos"`, 1) }, "smtp.auth"},
		{"log format", func(c string) string { return withKeys(c, "log", `format = "xml"`) }, "log.format"},
		{"http not loopback", func(c string) string { return withKeys(c, "http", `listen = "0.0.0.0:9464"`) }, "http.listen"},
		{"backup hour", func(c string) string { return withKeys(c, "backup", `hour = 25`) }, "backup.hour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(writeConfig(t, dir, strings.ReplaceAll(tc.name, " ", "_"), tc.edit))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("loadConfig = %v", err)
			case tc.want == "":
				if c.OAuth2.secret != "s3cret" {
					t.Errorf("secret read from the file = %q", c.OAuth2.secret)
				}
			case err == nil || !strings.Contains(err.Error(), tc.want):
				t.Errorf("loadConfig = %v, want an error naming %s", err, tc.want)
			}
		})
	}
	t.Setenv("CSPRBOT_OAUTH2_CLIENT_SECRET", "from-env")
	c, err := loadConfig(writeConfig(t, dir, "env", oauth(`tenant_id = "t"`, `client_id = "c1"`)))
	if err != nil || c.OAuth2.secret != "from-env" {
		t.Errorf("secret from the environment: %v, %q", err, c.OAuth2.secret)
	}
}

// log.format = "json": every line the daemon logs is one JSON object.
func TestJSONLogs(t *testing.T) {
	e := newE2E(t)
	e.rewriteConfig(func(c string) string { return c + "\n[log]\nformat = \"json\"\nlevel = \"debug\"\n" })
	d := startMain(t, "run", "--config", e.cfg)
	eventually(t, 10*time.Second, "the daemon logs that it started", func() (bool, string) {
		return strings.Contains(d.log.String(), "csprbot started"), d.log.String()
	})
	d.stop(t)
	lines := d.log.Lines()
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["msg"] == nil || m["level"] == nil {
			t.Errorf("log line %q is not a JSON object with msg and level: %v", l, err)
		}
	}
}
