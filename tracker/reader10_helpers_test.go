package tracker

import (
	"context"
	"strings"
	"testing"
)

// whyRenderer is rrRenderer plus the local review's reason (LCSPRView.Why) in the text,
// so that what a national notice would say can be read from the outbox.
type whyRenderer struct{ rrRenderer }

func (r whyRenderer) Render(name string, d *MailData) (Rendered, error) {
	out, err := r.rrRenderer.Render(name, d)
	if d.LCSPR != nil {
		out.Text += "notice=" + d.LCSPR.Notice + " why=" + d.LCSPR.Why + " reviewer_email=" + d.LCSPR.ReviewerEmail + "\n"
	}
	return out, err
}

func newWhyTracker(t *testing.T, clock *testClock) *Tracker {
	t.Helper()
	return newTrackerWith(t, clock, rrConfig(), whyRenderer{})
}

// torV is a Terms of Reference with the given chronology date, timetable rows and agencies.
func torV(chronDue string, withEvent bool, agencies ...string) *Form {
	f := &Form{Kind: FormTermsOfReference, CaseRef: "LSCP-2026-001", Fields: map[string]string{
		"lead_reviewer": "Jo Reviewer", "review_period_from": "2025-01-01", "review_period_to": "2026-11-28"},
		Tables: map[string][]map[string]string{"timetable": {{"action": "Chronologies returned", "responsible": "Each agency", "date": chronDue}}}}
	if withEvent {
		f.Tables["timetable"] = append(f.Tables["timetable"], map[string]string{"action": "Practitioner learning event", "responsible": "Lead reviewer", "date": "2027-03-10"})
	}
	for _, a := range agencies {
		f.Tables["agencies"] = append(f.Tables["agencies"], map[string]string{"agency": a})
	}
	return f
}

// reader10Learning confirms a Terms of Reference naming the police and Children's Social
// Care and sets the learning event; the invitations go to them and to staff.
func reader10Learning(t *testing.T, tr *Tracker, clock *testClock) {
	t.Helper()
	ctx := context.Background()
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-01-25", true, "Met Police", "Lewisham Children's Social Care"), true, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-05T10:00:00Z")
	if _, err := tr.SetLearningEvent(ctx, "LSCP-2026-001", mustTime("2027-03-10T10:00:00Z"), "Laurence House", "command line"); err != nil {
		t.Fatal(err)
	}
}

func reader10InviteTo(t *testing.T, tr *Tracker, addr string) outRow {
	t.Helper()
	for _, o := range outboxEmails(t, tr, TmplLearningInvite) {
		if strings.Contains(o.To, addr) {
			return o
		}
	}
	t.Fatalf("no learning event invitation to %s", addr)
	return outRow{}
}
