package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// Config is the whole configuration file (config.example.toml documents every key).
type Config struct {
	Partnership struct {
		Name    string `toml:"name"`
		Short   string `toml:"short"`
		Email   string `toml:"email"`
		Phone   string `toml:"phone"`
		Address string `toml:"address"`
		Website string `toml:"website"`
		Contact string `toml:"contact"`
		Signer  string `toml:"signer"`
	} `toml:"partnership"`
	IMAP struct {
		Address            string   `toml:"address"`
		Username           string   `toml:"username"`
		Password           string   `toml:"password"`
		Auth               string   `toml:"auth"` // password | oauth2 | xoauth2 | none
		TokenFile          string   `toml:"token_file"`
		TLS                string   `toml:"tls"`
		Mailbox            string   `toml:"mailbox"`
		DoneFolder         string   `toml:"done_folder"`
		InsecureSkipVerify bool     `toml:"insecure_skip_verify"`
		AllowInsecure      bool     `toml:"allow_insecure"`
		PollInterval       duration `toml:"poll_interval"`
		MaxMessageSize     int64    `toml:"max_message_size"`
	} `toml:"imap"`
	SMTP struct {
		Address            string   `toml:"address"`
		Username           string   `toml:"username"`
		Password           string   `toml:"password"`
		Auth               string   `toml:"auth"`
		TokenFile          string   `toml:"token_file"`
		TLS                string   `toml:"tls"`
		From               string   `toml:"from"`
		InsecureSkipVerify bool     `toml:"insecure_skip_verify"`
		AllowInsecure      bool     `toml:"allow_insecure"`
		Timeout            duration `toml:"timeout"`
		AlertAfter         duration `toml:"alert_after"`
	} `toml:"smtp"`
	Store struct {
		Path          string `toml:"path"`
		RetentionDays int    `toml:"retention_days"`
	} `toml:"store"`
	Addresses struct {
		NationalPanel string `toml:"national_panel"`
		Ofsted        string `toml:"ofsted"`
		DfE           string `toml:"dfe"`
		NSPCC         string `toml:"nspcc"`
		Subgroup      string `toml:"subgroup"`
		Partners      string `toml:"partners"`
		MESI          string `toml:"mesi"` // signs off action-plan evidence
	} `toml:"addresses"`
	Mail struct {
		AllowedDomains   []string `toml:"allowed_domains"`
		AllowedAddresses []string `toml:"allowed_addresses"`
		MessageIDDomain  string   `toml:"message_id_domain"`
		// TrustedAuthServID: the authserv-id of our receiving server, whose
		// Authentication-Results (DKIM/DMARC pass) may authenticate staff commands.
		TrustedAuthServID string `toml:"trusted_authserv_id"`
		// TrustExchangeInternal: mail Exchange Online marked
		// X-MS-Exchange-Organization-AuthAs: Internal counts as authenticated.
		TrustExchangeInternal bool `toml:"trust_exchange_internal"`
	} `toml:"mail"`
	// OAuth2 is the Microsoft 365 app-only sign-in used by imap.auth / smtp.auth = "oauth2".
	OAuth2 struct {
		TenantID         string `toml:"tenant_id"`
		ClientID         string `toml:"client_id"`
		ClientSecretFile string `toml:"client_secret_file"` // or CSPRBOT_OAUTH2_CLIENT_SECRET
		// ClientCertificateFile: PEM with the certificate uploaded to the app registration
		// and its private key, instead of a secret.
		ClientCertificateFile string `toml:"client_certificate_file"`
		TokenURL              string `toml:"token_url"` // default: Microsoft's endpoint for tenant_id
		Scope                 string `toml:"scope"`     // default: https://outlook.office365.com/.default

		secret string
		cert   []byte
	} `toml:"oauth2"`
	Backup struct {
		Dir  string `toml:"dir"`  // nightly backups go here ("" : none)
		Keep int    `toml:"keep"` // how many to keep (default 7)
		Hour *int   `toml:"hour"` // London hour of the nightly backup (default 2)
	} `toml:"backup"`
	HTTP struct {
		Listen string `toml:"listen"` // "127.0.0.1:9464": /healthz and /metrics ("" : off)
	} `toml:"http"`
	Staff []struct {
		Name  string `toml:"name"`
		Email string `toml:"email"`
	} `toml:"staff"`
	Agency []struct {
		Name          string   `toml:"name"`
		Email         string   `toml:"email"`
		Partner       string   `toml:"partner"`
		StrategicLead string   `toml:"strategic_lead"`
		Aliases       []string `toml:"aliases"`
	} `toml:"agency"`
	Calendar struct {
		ExtraHolidays []string `toml:"extra_holidays"`
	} `toml:"calendar"`
	Rules map[string]tracker.RuleConfig `toml:"rules"`
	// Returns overrides the schedule's reminder and chasers for one kind of return:
	// [returns.chronology], [returns.agency_report], [returns.action_evidence], [returns.scoping].
	Returns map[string]struct {
		ReminderDaysBefore *int `toml:"reminder_days_before"`
		Chasers            *int `toml:"chasers"`
	} `toml:"returns"`
	Schedule struct {
		ChaseHour          int    `toml:"chase_hour"`
		ReminderDaysBefore *int   `toml:"reminder_days_before"`
		Chasers            int    `toml:"chasers"`
		DigestDay          string `toml:"digest_day"`  // the weekly digest's day: "monday" (default) … "sunday"
		DigestHour         *int   `toml:"digest_hour"` // and hour (London), default 9
		// PublicationWarnWeeks: staff are warned these many weeks before a local review's
		// publication deadline, largest first; default [8, 4].
		PublicationWarnWeeks []int `toml:"publication_warn_weeks"`
	} `toml:"schedule"`
	Templates struct {
		Dir string `toml:"dir"`
	} `toml:"templates"`
	Parser struct {
		Passwords []string `toml:"passwords"`
	} `toml:"parser"`
	Log struct {
		Level  string `toml:"level"`  // debug | info | warn | error
		Format string `toml:"format"` // text | json
	} `toml:"log"`

	dir string // the folder the file is in: relative paths are relative to it
}

// duration is a time.Duration written as "30s", "5m".
type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like 30s or 5m", string(b))
	}
	d.Duration = v
	return nil
}

// errUsage marks an error in what the user gave us: exit 2.
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e usageError) Error() string   { return e.msg }
func (e usageError) Is(t error) bool { return t == errUsage }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// loadConfig reads and validates a configuration file.
func loadConfig(path string) (*Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, usagef("config %s: line %d: %s", path, pe.Position.Line, oneLine(pe.Message))
		}
		return nil, usagef("config %s: %s", path, oneLine(err.Error()))
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, usagef("config %s: unknown key %s", path, und[0].String())
	}
	c.dir = filepath.Dir(path)
	return &c, c.finish()
}

// parseConfig reads a configuration from text (the embedded default).
func parseConfig(text, dir string) (*Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		return nil, fmt.Errorf("embedded config: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("embedded config: unknown key %s", und[0].String())
	}
	c.dir = dir
	return &c, c.finish()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// finish fills defaults and passwords from the environment, then validates.
func (c *Config) finish() error {
	if v := os.Getenv("CSPRBOT_IMAP_PASSWORD"); v != "" && c.IMAP.Password == "" {
		c.IMAP.Password = v
	}
	if v := os.Getenv("CSPRBOT_SMTP_PASSWORD"); v != "" && c.SMTP.Password == "" {
		c.SMTP.Password = v
	}
	if err := c.readOAuth2Secret(); err != nil {
		return err
	}
	def := func(p *string, v string) {
		if strings.TrimSpace(*p) == "" {
			*p = v
		}
	}
	def(&c.IMAP.TLS, "tls")
	def(&c.SMTP.TLS, "starttls")
	def(&c.IMAP.Mailbox, "INBOX")
	def(&c.IMAP.Auth, "password")
	def(&c.SMTP.Auth, "password")
	def(&c.Store.Path, "csprbot-data/csprbot.db")
	def(&c.Partnership.Name, "Lewisham Safeguarding Children Partnership")
	def(&c.Partnership.Short, "LSCP")
	def(&c.Partnership.Email, c.SMTP.From)
	def(&c.Partnership.Signer, "Strategic Safeguarding Lead")
	def(&c.Addresses.NationalPanel, "Mailbox.NationalReviewPanel@education.gov.uk")
	def(&c.Addresses.Ofsted, "SCR.SIN@ofsted.gov.uk")
	def(&c.Addresses.DfE, "Mailbox.CPOD@education.gov.uk")
	def(&c.Addresses.NSPCC, "information@nspcc.org.uk")
	if c.Schedule.ChaseHour == 0 {
		c.Schedule.ChaseHour = 9
	}
	if !filepath.IsAbs(c.Store.Path) && c.dir != "" {
		c.Store.Path = filepath.Join(c.dir, c.Store.Path)
	}
	if c.Backup.Dir != "" && !filepath.IsAbs(c.Backup.Dir) && c.dir != "" {
		c.Backup.Dir = filepath.Join(c.dir, c.Backup.Dir)
	}
	if c.Templates.Dir != "" && !filepath.IsAbs(c.Templates.Dir) && c.dir != "" {
		c.Templates.Dir = filepath.Join(c.dir, c.Templates.Dir)
	}
	return c.Validate()
}

// Validate names the first key that is wrong.
func (c *Config) Validate() error {
	hostPort := func(key, v string) error {
		if v == "" {
			return usagef("config: %s: required (host:port)", key)
		}
		if _, _, err := net.SplitHostPort(v); err != nil {
			return usagef("config: %s: %q is not host:port", key, v)
		}
		return nil
	}
	if err := hostPort("imap.address", c.IMAP.Address); err != nil {
		return err
	}
	if err := hostPort("smtp.address", c.SMTP.Address); err != nil {
		return err
	}
	for key, v := range map[string]string{"imap.tls": c.IMAP.TLS, "smtp.tls": c.SMTP.TLS} {
		switch v {
		case "none", "starttls", "tls":
		default:
			return usagef("config: %s: %q is not one of none, starttls, tls", key, v)
		}
	}
	for key, v := range map[string]string{"imap.auth": c.IMAP.Auth, "smtp.auth": c.SMTP.Auth} {
		switch v {
		case "password", "oauth2", "xoauth2", "none":
		default:
			return usagef("config: %s: %q is not one of password, oauth2, xoauth2, none", key, v)
		}
	}
	if err := c.validateOps(); err != nil {
		return err
	}
	for _, x := range []struct {
		side, addr, tls string
		allow           bool
	}{{"imap", c.IMAP.Address, c.IMAP.TLS, c.IMAP.AllowInsecure}, {"smtp", c.SMTP.Address, c.SMTP.TLS, c.SMTP.AllowInsecure}} {
		if x.tls == "none" && !x.allow && !isLoopback(x.addr) {
			return usagef("config: %s.tls: \"none\" to %s would send passwords and children's cases unencrypted; use \"tls\" or \"starttls\", or set %s.allow_insecure = true for a trusted link", x.side, x.addr, x.side)
		}
	}
	if c.IMAP.Username == "" {
		return usagef("config: imap.username: required")
	}
	if c.IMAP.Auth == "xoauth2" && c.IMAP.TokenFile == "" {
		return usagef("config: imap.token_file: required with imap.auth = \"xoauth2\"")
	}
	if c.SMTP.Auth == "xoauth2" && c.SMTP.TokenFile == "" {
		return usagef("config: smtp.token_file: required with smtp.auth = \"xoauth2\"")
	}
	if !strings.Contains(c.SMTP.From, "@") {
		return usagef("config: smtp.from: required (the partnership's address)")
	}
	if _, err := weekday(c.Schedule.DigestDay); err != nil {
		return usagef("config: schedule.digest_day: %v", err)
	}
	if h := c.Schedule.DigestHour; h != nil && (*h < 0 || *h > 23) {
		return usagef("config: schedule.digest_hour: %d is not an hour 0–23", *h)
	}
	if c.Store.RetentionDays < 0 {
		return usagef("config: store.retention_days: %d is negative (0 keeps everything)", c.Store.RetentionDays)
	}
	if c.Schedule.Chasers < 0 || c.Schedule.Chasers > 10 {
		return usagef("config: schedule.chasers: %d is not 0–10 (0 means the default, 2)", c.Schedule.Chasers)
	}
	if r := c.Schedule.ReminderDaysBefore; r != nil && (*r < 0 || *r > 10) {
		return usagef("config: schedule.reminder_days_before: %d is not 0–10 (0: no reminders)", *r)
	}
	for kind, r := range c.Returns {
		switch kind {
		case tracker.ReturnScoping, tracker.ReturnChronology, tracker.ReturnAgencyReport, tracker.ReturnActionEvidence:
		default:
			return usagef("config: returns.%s: not a kind of return (scoping, chronology, agency_report, action_evidence)", kind)
		}
		if r.Chasers != nil && (*r.Chasers < 1 || *r.Chasers > 10) {
			return usagef("config: returns.%s.chasers: %d is not 1–10", kind, *r.Chasers)
		}
		if r.ReminderDaysBefore != nil && (*r.ReminderDaysBefore < 0 || *r.ReminderDaysBefore > 10) {
			return usagef("config: returns.%s.reminder_days_before: %d is not 0–10 (0: no reminders)", kind, *r.ReminderDaysBefore)
		}
	}
	if w := c.Schedule.PublicationWarnWeeks; w != nil {
		if len(w) == 0 {
			return usagef("config: schedule.publication_warn_weeks: empty (leave it out for the default, [8, 4])")
		}
		for i, n := range w {
			if n < 1 || n > 26 {
				return usagef("config: schedule.publication_warn_weeks: %d is not 1–26 weeks", n)
			}
			if i > 0 && n >= w[i-1] {
				return usagef("config: schedule.publication_warn_weeks: %v is not largest first (the last warning prepares the late-publication notice)", w)
			}
		}
	}
	if c.Schedule.ChaseHour < 0 || c.Schedule.ChaseHour > 23 {
		return usagef("config: schedule.chase_hour: %d is not an hour 0–23", c.Schedule.ChaseHour)
	}
	for i, s := range c.Staff {
		if !strings.Contains(s.Email, "@") {
			return usagef("config: staff[%d].email: %q is not an address", i, s.Email)
		}
	}
	for i, a := range c.Agency {
		if strings.TrimSpace(a.Name) == "" {
			return usagef("config: agency[%d].name: required", i)
		}
		if !strings.Contains(a.Email, "@") {
			return usagef("config: agency[%d].email: %q is not an address", i, a.Email)
		}
		switch a.Partner {
		case "", "local_authority", "police", "health":
		default:
			return usagef("config: agency[%d].partner: %q is not one of local_authority, police, health or empty", i, a.Partner)
		}
	}
	for i, h := range c.Calendar.ExtraHolidays {
		if _, err := time.Parse("2006-01-02", h); err != nil {
			return usagef("config: calendar.extra_holidays[%d]: %q is not YYYY-MM-DD", i, h)
		}
	}
	if _, err := c.rules(); err != nil {
		return usagef("config: rules: %v", err)
	}
	return nil
}

func (c *Config) rules() ([]tracker.Rule, error) {
	return tracker.ApplyRuleConfig(tracker.DefaultRules(), c.Rules)
}

// trackerConfig is the tracker's part.
func (c *Config) trackerConfig() (tracker.Config, error) {
	rules, err := c.rules()
	if err != nil {
		return tracker.Config{}, err
	}
	tc := tracker.Config{
		Partnership: tracker.Partnership{Name: c.Partnership.Name, Short: c.Partnership.Short, Email: c.Partnership.Email,
			Phone: c.Partnership.Phone, Address: c.Partnership.Address, Website: c.Partnership.Website,
			Contact: c.Partnership.Contact, Signer: c.Partnership.Signer},
		From: c.SMTP.From, MessageIDDomain: c.Mail.MessageIDDomain, RefPrefix: c.Partnership.Short,
		Addresses: tracker.Addresses{NationalPanel: c.Addresses.NationalPanel, Ofsted: c.Addresses.Ofsted, DfE: c.Addresses.DfE,
			NSPCC: c.Addresses.NSPCC, Subgroup: c.Addresses.Subgroup, Partners: c.Addresses.Partners, MESI: c.Addresses.MESI},
		AllowedAddresses: c.Mail.AllowedAddresses, AllowedDomains: c.Mail.AllowedDomains,
		Rules: rules, ChaseHour: c.Schedule.ChaseHour, StuckAfter: c.SMTP.AlertAfter.Duration,
		Chasers:               c.Schedule.Chasers,
		PublicationWarnWeeks:  append([]int(nil), c.Schedule.PublicationWarnWeeks...),
		TrustedAuthServID:     c.Mail.TrustedAuthServID,
		TrustExchangeInternal: c.Mail.TrustExchangeInternal,
	}
	tc.DigestWeekday, _ = weekday(c.Schedule.DigestDay)
	tc.DigestHour = 9
	if c.Schedule.DigestHour != nil {
		tc.DigestHour = *c.Schedule.DigestHour
	}
	if c.Schedule.ReminderDaysBefore != nil {
		tc.ReminderDays = *c.Schedule.ReminderDaysBefore
		if tc.ReminderDays == 0 {
			tc.ReminderDays = -1 // no reminders
		}
	}
	for kind, r := range c.Returns {
		var ch tracker.Chasing
		if r.ReminderDaysBefore != nil {
			ch.ReminderDays = *r.ReminderDaysBefore
			if ch.ReminderDays == 0 {
				ch.ReminderDays = -1 // no reminders
			}
		}
		if r.Chasers != nil {
			ch.Chasers = *r.Chasers
		}
		if tc.KindChasing == nil {
			tc.KindChasing = map[string]tracker.Chasing{}
		}
		tc.KindChasing[kind] = ch
	}
	for _, s := range c.Staff {
		tc.Staff = append(tc.Staff, tracker.Person{Name: s.Name, Email: s.Email})
	}
	for _, a := range c.Agency {
		tc.Agencies = append(tc.Agencies, tracker.DirectoryAgency{Name: a.Name, Email: a.Email, Partner: a.Partner,
			StrategicLead: a.StrategicLead, Aliases: a.Aliases})
	}
	return tc, tc.Validate()
}

// isLoopback reports whether host:port names this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
