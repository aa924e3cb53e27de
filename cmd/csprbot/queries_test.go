package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

var updateGolden = flag.Bool("update", false, "rewrite cmd/csprbot/testdata golden files")

// queryClock is a settable clock for building a store.
type queryClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *queryClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *queryClock) Set(t testing.TB, s string) {
	t.Helper()
	x, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.t = x
	c.mu.Unlock()
}

// populatedStore builds, through the tracker as the daemon would, a store with cases in
// different stages: one scoped with a return in, a nil return, reminders, chasers and an
// escalation, and its meeting set and moved; one that could not be read; one with an
// extension, a waiver and a statutory notification; one not yet scoped; and a stranger's
// mail. It returns the path of a configuration naming the store.
func populatedStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfgText := strings.NewReplacer("IMAPADDR", "127.0.0.1:1", "SMTPADDR", "127.0.0.1:1").Replace(e2eConfig)
	cfgPath := filepath.Join(dir, "csprbot.toml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	c := &queryClock{}
	c.Set(t, "2026-12-07T10:15:00Z")
	a, err := openApp(ctx, cfg, false, c.Now, newLogger(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tr := a.tr
	uid := uint32(0)
	ingest := func(in *tracker.Incoming) tracker.IngestResult {
		t.Helper()
		uid++
		in.Mailbox, in.UIDValidity, in.UID, in.ReceivedAt = "INBOX", 1, uid, c.Now()
		res, err := tr.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	referral := func(id, child, kind string, agencies ...string) *tracker.Incoming {
		var rows []map[string]string
		for _, ag := range agencies {
			rows = append(rows, map[string]string{"agency": ag, "reason": "knows the family"})
		}
		return &tracker.Incoming{MessageID: id, From: "Dr Example <safeguarding@lgt-nhs.example>", Subject: "Referral",
			Attachments: []tracker.InAttachment{{Attachment: tracker.Attachment{Name: "referral.docx", Data: []byte("PK")},
				Form: &tracker.Form{Kind: tracker.FormReferral, Fields: map[string]string{
					"child_name": child, "incident_date": "2026-12-05", "incident_kind": kind, "looked_after": "no",
					"referrer_name": "Dr Sam Example", "referrer_agency": "Lewisham and Greenwich NHS Trust",
					"referrer_email": "safeguarding@lgt-nhs.example"},
					Tables: map[string][]map[string]string{"agencies": rows}}}}}
	}
	requests := func(ref string) map[string]string {
		t.Helper()
		ob, err := tr.Outbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for _, o := range ob {
			if o.Kind == tracker.TmplScopingRequest && strings.HasPrefix(o.MessageID, ref+".") {
				ids[o.Agency] = o.MessageID
			}
		}
		return ids
	}
	returnForm := func(id, from, inReplyTo string, nilReturn bool) *tracker.Incoming {
		known := "yes"
		if nilReturn {
			known = "no"
		}
		return &tracker.Incoming{MessageID: id, From: from, Subject: "RE: scoping request", InReplyTo: inReplyTo,
			Attachments: []tracker.InAttachment{{Attachment: tracker.Attachment{Name: "return.docx", Data: []byte("PK")},
				Form: &tracker.Form{Kind: tracker.FormScopingReturn, Fields: map[string]string{"child_known": known, "family_known": known}}}}}
	}
	tick := func(at string) {
		t.Helper()
		c.Set(t, at)
		if _, err := tr.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tr.TickRR(ctx); err != nil {
			t.Fatal(err)
		}
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// LSCP-2026-001: referral Mon 7 Dec, scoped at once; the police return, the trust
	// sends a nil return; the rest are reminded, chased and escalated; the meeting is set
	// and moved.
	ingest(referral("r1@lgt-nhs.example", "Ellie Testcase", "serious_harm", "Metropolitan Police Service", "Lewisham and Greenwich NHS Trust", "Brockley Primary School"))
	c.Set(t, "2026-12-07T11:00:00Z")
	must(tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"))

	// LSCP-2026-002: a referral nobody could read, Tue 8 Dec.
	c.Set(t, "2026-12-08T09:30:00Z")
	ingest(&tracker.Incoming{MessageID: "r2@example.org", From: "someone@lgt-nhs.example", Subject: "Urgent",
		Attachments: []tracker.InAttachment{{Attachment: tracker.Attachment{Name: "referral.docx"}, ParseError: "document is password-protected"}}})

	// LSCP-2026-003: a death, Wed 9 Dec, scoped with an extra agency.
	c.Set(t, "2026-12-09T08:40:00Z")
	ingest(referral("r3@lgt-nhs.example", "Zack Placeholder", "death", "Lewisham Education Safeguarding"))
	c.Set(t, "2026-12-09T12:00:00Z")
	must(tr.StartScoping(ctx, "LSCP-2026-003", []string{"Lewisham and Greenwich NHS Trust"}, "test"))

	c.Set(t, "2026-12-09T14:30:00Z")
	r1 := requests("LSCP-2026-001")
	ingest(returnForm("p1@met.example", "safeguarding.lead@met.example", r1["Metropolitan Police Service"], false))
	c.Set(t, "2026-12-10T10:00:00Z")
	ingest(returnForm("t1@lgt-nhs.example", "safeguarding@lgt-nhs.example", r1["Lewisham and Greenwich NHS Trust"], true))
	c.Set(t, "2026-12-10T16:00:00Z")
	ingest(&tracker.Incoming{MessageID: "x1@stranger.example", From: "someone@stranger.example", Subject: "Hello", Text: "Is this the right address?"})

	c.Set(t, "2026-12-11T10:00:00Z")
	must(tr.Extend(ctx, "LSCP-2026-003", "Lewisham Children's Social Care", time.Date(2026, 12, 23, 17, 0, 0, 0, time.UTC), "test"))
	must(tr.Waive(ctx, "LSCP-2026-003", "NHS South East London ICB", "test"))
	must(tr.Notified(ctx, "LSCP-2026-003", "panel", time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC), "test"))
	r3 := requests("LSCP-2026-003")
	c.Set(t, "2026-12-11T15:00:00Z")
	ingest(returnForm("t3@lgt-nhs.example", "safeguarding@lgt-nhs.example", r3["Lewisham and Greenwich NHS Trust"], false))

	tick("2026-12-14T09:00:00Z")
	c.Set(t, "2026-12-14T11:00:00Z")
	must(tr.SetMeeting(ctx, "LSCP-2026-001", time.Date(2026, 12, 17, 10, 0, 0, 0, time.UTC), false, "test"))
	tick("2026-12-16T09:00:00Z")
	c.Set(t, "2026-12-16T12:00:00Z")
	must(tr.SetMeeting(ctx, "LSCP-2026-001", time.Date(2026, 12, 18, 14, 0, 0, 0, time.UTC), false, "test"))

	// LSCP-2026-004: a referral on Thu 17 Dec, not scoped yet.
	c.Set(t, "2026-12-17T09:05:00Z")
	ingest(referral("r4@lgt-nhs.example", "Amy Nobody", "serious_harm"))
	tick("2026-12-17T09:10:00Z")
	tick("2026-12-18T09:00:00Z")
	a.Close()

	// Our Message-IDs carry a random nonce, and a case's messages of one minute are listed
	// in Message-ID order: number them by outbox row instead, so the output is the same
	// on every run.
	db := openStore(t, cfg.Store.Path)
	for _, q := range []string{
		`UPDATE returns SET request_msgid = coalesce((SELECT substr(o.message_id, 1, instr(o.message_id, '.') - 1) || printf('.%016x.%020x@lewisham.gov.uk', o.id, o.id)
			FROM outbox o WHERE o.message_id = returns.request_msgid), request_msgid)`,
		`UPDATE outbox SET message_id = substr(message_id, 1, instr(message_id, '.') - 1) || printf('.%016x.%020x@lewisham.gov.uk', id, id)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return cfgPath
}

// TestQueryOutputGolden pins what the read commands print for a populated store, byte
// for byte: cases, cases --json, case
// REF (text and JSON) and digest (text and HTML).
//
//	go test ./cmd/csprbot -run TestQueryOutputGolden -update
func TestQueryOutputGolden(t *testing.T) {
	cfgPath := populatedStore(t)
	e := &e2e{t: t, cfg: cfgPath}
	const now = "2026-12-21T09:00:00Z"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"cases", []string{"cases"}},
		{"cases_json", []string{"cases", "--json"}},
		{"case_001", []string{"case", "LSCP-2026-001"}},
		{"case_001_json", []string{"case", "LSCP-2026-001", "--json"}},
		{"case_002", []string{"case", "LSCP-2026-002"}},
		{"case_003", []string{"case", "LSCP-2026-003"}},
		{"case_003_json", []string{"case", "LSCP-2026-003", "--json"}},
		{"case_004", []string{"case", "LSCP-2026-004"}},
		{"digest", []string{"digest"}},
		{"digest_html", []string{"digest", "--html"}},
		{"digest_later", []string{"digest", "--now", "2026-12-23T18:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			args := tc.args
			if tc.name != "digest_later" {
				args = append(args, "--now", now)
			}
			got := e.run(0, args...)
			path := filepath.Join("testdata", "queries", tc.name+".golden")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/csprbot -run TestQueryOutputGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("csprbot %s differs from %s; got:\n%s", strings.Join(args, " "), path, got)
			}
		})
	}
	// No such case: bad input, exit 2.
	e.t = t
	e.run(2, "case", "LSCP-2026-099", "--now", now)
	e.run(2, "case", "LSCP-2026-099", "--json", "--now", now)
}
