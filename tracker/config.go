package tracker

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Person is a staff member who may give commands and approve submissions.
type Person struct {
	Name  string
	Email string
}

// DirectoryAgency is an agency's safeguarding lead, from the directory in configuration.
type DirectoryAgency struct {
	Name          string
	Email         string
	Partner       string   // local_authority | police | health | ""
	StrategicLead string   // copied on a second chaser
	Aliases       []string // other names a referral may use for it ("Met Police", "MPS")
}

// Addresses are the national bodies and groups the guidance names.
type Addresses struct {
	NationalPanel string
	Ofsted        string
	DfE           string
	NSPCC         string
	Subgroup      string // the Learning from Practice subgroup: the weekly digest
	Partners      string // the Safeguarding Partners: last step of escalation
	MESI          string // the Monitoring, Evaluation and Service Improvement subgroup: signs off action-plan evidence
}

// Config is the tracker's part of the configuration, parsed and validated in cmd.
type Config struct {
	Partnership     Partnership
	From            string // the address csprbot sends from
	MessageIDDomain string // right-hand side of our Message-IDs
	RefPrefix       string // "LSCP"
	Staff           []Person
	Agencies        []DirectoryAgency
	Addresses       Addresses
	// AllowedAddresses and AllowedDomains widen where mail may go beyond the addresses
	// and domains already named above.
	AllowedAddresses []string
	AllowedDomains   []string
	Rules            []Rule
	ChaseHour        int // reminders and chasers go at this hour (London) on working days
	// ReminderDays: a reminder goes this many working days before a return is due (0: none).
	ReminderDays int
	// Chasers is how many chasers an overdue agency gets (the last copied to its strategic
	// lead) before the case is escalated to the subgroup.
	Chasers int
	// KindChasing overrides ReminderDays and Chasers for one kind of return (chronology,
	// agency_report, action_evidence, scoping); see Tracker.chasingFor.
	KindChasing map[string]Chasing
	// StuckAfter is how long an email may wait unsent before staff are told.
	StuckAfter time.Duration
	// TrustedAuthServID is the authserv-id of the receiving server whose
	// Authentication-Results header csprbot believes (RFC 8601); "" trusts none.
	TrustedAuthServID string
	// TrustExchangeInternal: mail Exchange Online marked X-MS-Exchange-Organization-AuthAs:
	// Internal (a sender signed in to the partnership's own tenant) counts as authenticated.
	TrustExchangeInternal bool
	// The weekly digest goes on DigestWeekday at DigestHour (London); both zero means Monday 09:00.
	DigestWeekday time.Weekday
	DigestHour    int
	// PublicationWarnWeeks: staff are warned these many weeks before a local review's
	// six-month publication deadline, largest first; empty means PublicationWarnWeeks.
	PublicationWarnWeeks []int
}

func (c *Config) rule(name string) (Rule, bool) {
	for _, r := range c.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}

func normAddr(a string) string {
	a = strings.TrimSpace(a)
	if p, err := mail.ParseAddress(a); err == nil {
		a = p.Address
	}
	return strings.ToLower(strings.Trim(a, "<> "))
}

func domainOf(a string) string {
	a = normAddr(a)
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[i+1:]
	}
	return ""
}

// allowList is where csprbot may send mail: every address the configuration names, and
// every domain one of them uses.
type allowList struct {
	addrs   map[string]bool
	domains map[string]bool
}

func (c *Config) allowList() allowList {
	al := allowList{addrs: map[string]bool{}, domains: map[string]bool{}}
	add := func(a string) {
		if a = normAddr(a); a != "" {
			al.addrs[a] = true
			if d := domainOf(a); d != "" {
				al.domains[d] = true
			}
		}
	}
	add(c.From)
	add(c.Partnership.Email)
	for _, p := range c.Staff {
		add(p.Email)
	}
	for _, a := range c.Agencies {
		add(a.Email)
		add(a.StrategicLead)
	}
	for _, a := range []string{c.Addresses.NationalPanel, c.Addresses.Ofsted, c.Addresses.DfE, c.Addresses.NSPCC, c.Addresses.Subgroup, c.Addresses.Partners, c.Addresses.MESI} {
		add(a)
	}
	for _, a := range c.AllowedAddresses {
		add(a)
	}
	for _, d := range c.AllowedDomains {
		al.domains[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))] = true
	}
	return al
}

func (al allowList) allowed(addr string) bool {
	a := normAddr(addr)
	return al.addrs[a] || al.domains[domainOf(a)]
}

func (c *Config) isStaff(addr string) (Person, bool) {
	a := normAddr(addr)
	for _, p := range c.Staff {
		if normAddr(p.Email) == a {
			return p, true
		}
	}
	return Person{}, false
}

// agencyByName finds a directory agency by its name or an alias, ignoring case and punctuation.
func (c *Config) agencyByName(name string) (DirectoryAgency, bool) {
	n := normName(name)
	if n == "" {
		return DirectoryAgency{}, false
	}
	for _, a := range c.Agencies {
		if normName(a.Name) == n {
			return a, true
		}
		for _, al := range a.Aliases {
			if normName(al) == n {
				return a, true
			}
		}
	}
	return DirectoryAgency{}, false
}

func (c *Config) agencyByEmail(addr string) (DirectoryAgency, bool) {
	a := normAddr(addr)
	for _, ag := range c.Agencies {
		if a != "" && (normAddr(ag.Email) == a || normAddr(ag.StrategicLead) == a) {
			return ag, true
		}
	}
	return DirectoryAgency{}, false
}

func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Validate checks what the tracker needs of its configuration.
func (c *Config) Validate() error {
	if normAddr(c.From) == "" || !strings.Contains(c.From, "@") {
		return fmt.Errorf("smtp.from: an address is required")
	}
	for i, a := range c.Agencies {
		if strings.TrimSpace(a.Name) == "" {
			return fmt.Errorf("agency[%d].name: required", i)
		}
		if !strings.Contains(a.Email, "@") {
			return fmt.Errorf("agency[%d].email: %q is not an address", i, a.Email)
		}
		switch a.Partner {
		case "", "local_authority", "police", "health":
		default:
			return fmt.Errorf("agency[%d].partner: %q is not one of local_authority, police, health or empty", i, a.Partner)
		}
	}
	for i, p := range c.Staff {
		if !strings.Contains(p.Email, "@") {
			return fmt.Errorf("staff[%d].email: %q is not an address", i, p.Email)
		}
	}
	return nil
}
