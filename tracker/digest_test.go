package tracker_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/templates"
	"github.com/lewisham-lscp/csprbot/tracker"
)

var update = flag.Bool("update", false, "rewrite tracker/testdata golden files")

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(s string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// digestCase builds a case on the real templates: a referral on Mon 7 Dec 2026, scoping,
// the police's return, reminders on the 14th and first chasers on the 16th.
func digestCase(t *testing.T) (*tracker.Tracker, *clock) {
	t.Helper()
	ctx := context.Background()
	c := &clock{}
	c.Set("2026-12-07T10:15:00Z")
	st, err := tracker.Open(ctx, filepath.Join(t.TempDir(), "db"), c.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cal, _ := tracker.NewCalendar(nil)
	set, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := tracker.Config{
		Partnership: tracker.Partnership{Name: "Lewisham Safeguarding Children Partnership", Short: "LSCP", Email: "safeguardingpartnership@lewisham.gov.uk"},
		From:        "safeguardingpartnership@lewisham.gov.uk",
		Staff:       []tracker.Person{{Name: "Lead", Email: "strategic.lead@lewisham.gov.uk"}},
		Agencies: []tracker.DirectoryAgency{
			{Name: "Lewisham Children's Social Care", Email: "csc@lewisham.gov.uk", Partner: "local_authority"},
			{Name: "Metropolitan Police Service", Email: "lead@met.example", Partner: "police"},
			{Name: "NHS South East London ICB", Email: "icb@icb.example", Partner: "health"},
		},
		Addresses: tracker.Addresses{Subgroup: "lfp@lewisham.gov.uk"},
	}
	tr, err := tracker.New(ctx, st, cfg, cal, set)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Ingest(ctx, &tracker.Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 1, ReceivedAt: c.Now(), MessageID: "r1@example.org",
		From: "safeguarding@lgt.example", Subject: "Referral",
		Attachments: []tracker.InAttachment{{Attachment: tracker.Attachment{Name: "referral.docx", Data: []byte("PK")},
			Form: &tracker.Form{Kind: tracker.FormReferral, Fields: map[string]string{"child_name": "Ellie Testcase", "incident_date": "2026-12-05",
				"incident_kind": "serious_harm", "date_of_referral": "2026-12-07"}}}}}); err != nil {
		t.Fatal(err)
	}
	c.Set("2026-12-07T11:00:00Z")
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
	var police string
	ob, _ := tr.Outbox(ctx)
	for _, o := range ob {
		if o.Kind == tracker.TmplScopingRequest && o.Agency == "Metropolitan Police Service" {
			police = o.MessageID
		}
	}
	c.Set("2026-12-09T14:30:00Z")
	if _, err := tr.Ingest(ctx, &tracker.Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: c.Now(), MessageID: "p1@met.example",
		From: "lead@met.example", Subject: "RE: request", InReplyTo: police,
		Attachments: []tracker.InAttachment{{Attachment: tracker.Attachment{Name: "return.docx", Data: []byte("PK")},
			Form: &tracker.Form{Kind: tracker.FormScopingReturn, Fields: map[string]string{"child_known": "yes", "family_known": "yes"}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{"2026-12-14T09:00:00Z", "2026-12-16T09:00:00Z"} {
		c.Set(at)
		if _, err := tr.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return tr, c
}

func TestDigestGolden(t *testing.T) {
	ctx := context.Background()
	tr, c := digestCase(t)
	c.Set("2026-12-21T09:00:00Z")
	d, err := tr.Digest(ctx, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	set, _ := templates.New("")
	r, err := set.Render(tracker.TmplDigest, d)
	if err != nil {
		t.Fatal(err)
	}
	got := "Subject: " + r.Subject + "\n\n" + r.Text + "\n======== HTML ========\n" + r.HTML
	path := filepath.Join("testdata", "digest_week.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tracker -run TestDigestGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("digest differs from %s; got:\n%s", path, got)
	}
	for _, name := range []string{"Ellie", "Testcase"} {
		if strings.Contains(got, name) {
			t.Errorf("the digest carries the child's name %q", name)
		}
	}
	for _, w := range []string{"LSCP-2026-001 (ET)", "[RED] Lewisham Children's Social Care", "chaser 1", "Overdue now"} {
		if !strings.Contains(got, w) {
			t.Errorf("digest lacks %q", w)
		}
	}
}

func TestTickDigestWeekly(t *testing.T) {
	ctx := context.Background()
	tr, c := digestCase(t)
	count := func() int {
		ob, _ := tr.Outbox(ctx)
		n := 0
		for _, o := range ob {
			if o.Kind == tracker.TmplDigest {
				n++
				if o.To != "lfp@lewisham.gov.uk" {
					t.Errorf("digest to %s", o.To)
				}
			}
		}
		return n
	}
	for _, tc := range []struct {
		at   string
		want int
	}{
		{"2026-12-20T12:00:00Z", 0}, // Sunday
		{"2026-12-21T08:59:00Z", 0}, // Monday, before 09:00
		{"2026-12-21T09:00:00Z", 1},
		{"2026-12-21T15:00:00Z", 1}, // once a week
		{"2026-12-22T09:00:00Z", 1},
		{"2026-12-28T09:05:00Z", 1}, // next Monday is a bank holiday: not then,
		{"2026-12-29T08:00:00Z", 1},
		{"2026-12-29T09:00:00Z", 2}, // but on the first working day after it
		{"2026-12-30T09:00:00Z", 2},
	} {
		c.Set(tc.at)
		if _, err := tr.TickDigest(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != tc.want {
			t.Errorf("at %s: %d digests, want %d", tc.at, n, tc.want)
		}
	}
}
