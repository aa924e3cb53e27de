package tracker

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// The publication warnings are configuration ([schedule] publication_warn_weeks): with
// [6], nothing at eight weeks, and at six the warning and, being the last, the
// late-publication notice held for approval.
func TestPublicationWarnWeeksConfigured(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) { c.PublicationWarnWeeks = []int{6} })
	toApproved(t, tr, clock, "b") // publication due Thu 17 Jun 2027
	warnings := func() int {
		var n int
		if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'publication_warning'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		at   string
		want int
	}{
		{"2027-04-22T10:00:00Z", 0}, // eight weeks before: not configured
		{"2027-05-05T10:00:00Z", 0},
		{"2027-05-06T10:00:00Z", 1}, // six weeks before
		{"2027-05-20T10:00:00Z", 1}, // four weeks: not configured
	} {
		clock.Set(tc.at)
		if _, err := tr.TickLCSPR(ctx); err != nil {
			t.Fatal(err)
		}
		if got := warnings(); got != tc.want {
			t.Errorf("at %s: %d warnings, want %d", tc.at, got, tc.want)
		}
	}
	rows := outboxEmails(t, tr, TmplNationalNotice)
	if len(rows) != 1 || rows[0].Status != "awaiting_approval" {
		t.Fatalf("late-publication notice = %+v, want one awaiting approval at the last (six-week) warning", rows)
	}
	var reason string
	if err := tr.DB().QueryRow(`SELECT detail FROM audit WHERE event = 'publication_warning'`).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reason, "6 weeks or less") {
		t.Errorf("warning %q does not say six weeks", reason)
	}
}

// publishedCase drives LSCP-2026-001 to a review published on Thu 3 Jun 2027.
func publishedCase(t *testing.T, tr *Tracker, clock *testClock) {
	t.Helper()
	ctx := context.Background()
	toApproved(t, tr, clock, "b")
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-06-03T00:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-06-03T12:00:00Z")
	if _, err := tr.Published(ctx, "LSCP-2026-001", time.Time{}, "https://example.org/cspr/report", "test"); err != nil {
		t.Fatal(err)
	}
}

func keptDue(t *testing.T, tr *Tracker) (string, string) {
	t.Helper()
	var due, st string
	if err := tr.DB().QueryRow(`SELECT due_at, status FROM deadlines WHERE rule = 'nspcc_submission' AND agency = ?`, KeptAgency).Scan(&due, &st); err != nil {
		t.Fatal(err)
	}
	d, _ := time.Parse(time.RFC3339, due)
	return d.In(tr.Calendar().Location()).Format("2006-01-02"), st
}

// The time the published report stays on the website is nspcc_submission's (process.md
// stage 15: "on publication; for at least 12 months"), configured as [rules.nspcc_submission]
// kept_months, and kept as that rule's deadline with the agency KeptAgency.
func TestPublicationKeptIsARule(t *testing.T) {
	rs := NewRules(DefaultRules())
	for _, name := range []string{"publication_kept", "tor_timetable"} {
		if r, ok := rs.Get(name); ok {
			t.Errorf("rule %s = %+v: not a process.md name", name, r)
		}
	}
	months := 18
	rules, err := ApplyRuleConfig(DefaultRules(), map[string]RuleConfig{"nspcc_submission": {KeptMonths: &months}})
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) { c.Rules = rules; c.Addresses.NSPCC = "repository@nspcc.org.uk" })
	publishedCase(t, tr, clock)
	if due, st := keptDue(t, tr); due != "2028-12-03" || st != "pending" {
		t.Errorf("website kept due %s (%s), want 2028-12-03 pending: 18 months from publication", due, st)
	}
}

// Twelve months after publication, staff are told once that the published report may
// come down; the nspcc_submission rule's kept deadline is met (issue 10, the 12-month point).
func TestPublicationKeptReminder(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) { c.Addresses.NSPCC = "repository@nspcc.org.uk" })
	publishedCase(t, tr, clock)
	if due, _ := keptDue(t, tr); due != "2028-06-03" {
		t.Fatalf("website kept due %s, want 2028-06-03", due)
	}
	reminders := func() []outRow {
		var out []outRow
		for _, r := range outboxEmails(t, tr, TmplStaffAttention) {
			if strings.Contains(r.Email.Text, "may now be archived") {
				out = append(out, r)
			}
		}
		return out
	}
	for _, tc := range []struct {
		at   string
		want int
	}{
		{"2028-06-02T10:00:00Z", 0}, // Friday, the day before
		{"2028-06-05T10:00:00Z", 1}, // the next working day after Sat 3 Jun
		{"2028-06-05T11:00:00Z", 1},
		{"2028-06-06T10:00:00Z", 1},
	} {
		clock.Set(tc.at)
		if _, err := tr.TickLCSPR(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(reminders()); got != tc.want {
			t.Errorf("at %s: %d reminders, want %d", tc.at, got, tc.want)
		}
	}
	r := reminders()
	if len(r) != 1 {
		t.Fatal("no reminder")
	}
	if !strings.Contains(r[0].To, "@") || !strings.Contains(r[0].Email.Text, "https://example.org/cspr/report") {
		t.Errorf("reminder to %q:\n%s", r[0].To, r[0].Email.Text)
	}
	if _, st := keptDue(t, tr); st != "met" {
		t.Errorf("website kept %s after the reminder, want met", st)
	}
}

// Cancel learning event (by email, as staff) sends everyone invited the cancellation with
// an iCalendar CANCEL of the same event, the sequence one on, and replies; a second
// cancellation is refused; the event may be set again.
func TestCancelLearningEvent(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-02-01T09:00:00Z")
	set, err := tr.SetLearningEvent(ctx, "LSCP-2026-001", mustTime("2027-03-10T10:00:00Z"), "Laurence House", "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Invited) == 0 {
		t.Fatal("nobody invited")
	}
	invites := len(outboxEmails(t, tr, TmplLearningInvite))
	clock.Set("2027-02-03T09:00:00Z")
	deliver(t, tr, staffMail(clock, "cancel-le@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Cancel learning event"))
	rows := outboxEmails(t, tr, TmplLearningInvite)[invites:]
	if len(rows) != len(set.Invited) {
		t.Fatalf("%d cancellations, want one to each of the %d invited", len(rows), len(set.Invited))
	}
	for _, r := range rows {
		var ics string
		for _, a := range r.Email.Attachments {
			if strings.Contains(a.ContentType, "text/calendar") {
				ics = string(a.Data)
			}
		}
		if !strings.Contains(ics, "METHOD:CANCEL") || !strings.Contains(ics, "SEQUENCE:1") || !strings.Contains(ics, "learning-event-lscp-2026-001@") {
			t.Errorf("cancellation to %s: calendar part\n%s", r.To, ics)
		}
	}
	var st string
	if err := tr.DB().QueryRow(`SELECT status FROM learning_events`).Scan(&st); err != nil || st != "cancelled" {
		t.Errorf("learning event %q, %v; want cancelled", st, err)
	}
	replies := outboxEmails(t, tr, TmplCommandReply)
	if len(replies) == 0 || !strings.Contains(replies[len(replies)-1].Email.Text, "learning event of 10:00 Wed 10 Mar 2027 cancelled") {
		t.Errorf("no reply saying the learning event was cancelled: %+v", replies)
	}
	if _, err := tr.CancelLearningEvent(ctx, "LSCP-2026-001", "command line"); !errors.Is(err, ErrRefused) {
		t.Errorf("second cancellation = %v, want refused", err)
	}
	again, err := tr.SetLearningEvent(ctx, "LSCP-2026-001", mustTime("2027-03-17T10:00:00Z"), "Laurence House", "test")
	if err != nil || !again.Moved {
		t.Errorf("set again = %+v, %v", again, err)
	}
}

// Family letter by email: the letter and leaflet go to staff (never anyone else), with a
// reply; refused on a case that is not a local review.
func TestFamilyLetterByEmail(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-05T09:00:00Z")
	deliver(t, tr, staffMail(clock, "family@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Family letter"))
	rows := outboxEmails(t, tr, TmplFamilyLetter)
	if len(rows) != 1 {
		t.Fatalf("%d family letters, want 1", len(rows))
	}
	for _, to := range strings.Split(rows[0].To, ",") {
		if _, ok := tr.cfg.isStaff(strings.TrimSpace(to)); !ok {
			t.Errorf("family letter to %q, who is not staff", to)
		}
	}
	replies := outboxEmails(t, tr, TmplCommandReply)
	if len(replies) == 0 || !strings.Contains(replies[len(replies)-1].Email.Text, "family letter and leaflet (Appendix 7, 8) are sent to staff") {
		t.Errorf("no reply saying the family letter was sent: %+v", replies)
	}
	var n int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'family_letter'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d family_letter audits, %v", n, err)
	}
}
