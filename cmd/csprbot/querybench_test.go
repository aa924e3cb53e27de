package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// BenchmarkQueries10k times the read commands, each run whole as a person runs it (open
// the store, query, print), on a store of 10,000 cases built once, the newest tenth of
// them open: csprbot cases, cases --json, digest and case REF. digest-data is the digest's
// reading alone, without rendering the email.
//
//	go test ./cmd/csprbot -run '^$' -bench Queries10k -benchtime 5x
func BenchmarkQueries10k(b *testing.B) { benchQueries(b, 10000, 10) }

// BenchmarkQueries10kAllOpen is BenchmarkQueries10k with every case open: the digest then
// lists all 10,000 (an email of several megabytes), and rendering it is most of its time.
//
//	go test ./cmd/csprbot -run '^$' -bench Queries10kAllOpen -benchtime 3x
func BenchmarkQueries10kAllOpen(b *testing.B) { benchQueries(b, 10000, 1) }

func benchQueries(b *testing.B, n, openOneIn int) {
	cfgPath, ref := bigStore(b, n, openOneIn)
	const now = "2026-12-21T09:00:00Z"
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"cases", []string{"cases"}},
		{"cases-json", []string{"cases", "--json"}},
		{"digest", []string{"digest"}},
		{"case-REF", []string{"case", ref}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			args := append(append([]string{}, bc.args...), "--config", cfgPath, "--now", now)
			var errb strings.Builder
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				n := &countWriter{}
				if code := Main(context.Background(), args, n, &errb); code != 0 {
					b.Fatalf("csprbot %s = exit %d: %s", strings.Join(args, " "), code, errb.String())
				}
				b.ReportMetric(float64(n.n), "bytes-out")
			}
			reportCPU(b, cpu)
		})
	}
	b.Run("digest-data", func(b *testing.B) {
		cfg, err := loadConfig(cfgPath)
		if err != nil {
			b.Fatal(err)
		}
		at, _ := time.Parse(time.RFC3339, now)
		a, err := openApp(context.Background(), cfg, false, func() time.Time { return at }, newLogger(io.Discard, "error"))
		if err != nil {
			b.Fatal(err)
		}
		defer a.Close()
		cpu := cpuTime()
		for i := 0; i < b.N; i++ {
			d, err := a.tr.Digest(context.Background(), at)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(d.Digest.Cases)), "open-cases")
		}
		reportCPU(b, cpu)
	})
}

// cpuTime is the CPU time this process has used, user and system. On a machine other
// work shares, CPU time per command says what the command costs; the wall time (ns/op)
// is what a person waits, and is the same when the machine is otherwise idle.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64(cpuTime()-since)/float64(b.N)/1e6, "cpu-ms/op")
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// bigStore writes a configuration and a store of n cases with the shape the daemon gives
// them (agencies, deadlines, returns in every state, messages in and out, audit rows,
// meetings), inserting the rows directly in one transaction. The newest one case in
// openOneIn is open (referral, scoping or Rapid Review), the rest closed. It returns the
// configuration's path and the reference of a case in the middle.
func bigStore(b *testing.B, n, openOneIn int) (cfgPath, midRef string) {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	cfgText := strings.NewReplacer("IMAPADDR", "127.0.0.1:1", "SMTPADDR", "127.0.0.1:1").Replace(e2eConfig)
	cfgPath = filepath.Join(dir, "csprbot.toml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC)
	st, err := tracker.Open(ctx, cfg.Store.Path, func() time.Time { return now }, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		s, err := tx.PrepareContext(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	insCase := prep(`INSERT INTO cases(id, ref, year, seq, stage, child_initials, referral_received, incident_date, incident_kind,
		referrer_agency, referrer_email, needs_completion, referral_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	insAgency := prep(`INSERT INTO case_agencies(case_id, name, email, partner, reason, source) VALUES (?, ?, ?, ?, ?, 'referral')`)
	insDeadline := prep(`INSERT INTO deadlines(case_id, rule, agency, from_at, due_at, status, met_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, '')`)
	insReturn := prep(`INSERT INTO returns(case_id, agency, email, requested_at, due_at, received_at, status, chasers_sent, request_msgid, due_set_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	insMsg := prep(`INSERT INTO messages(message_id, mailbox, uidvalidity, uid, received_at, from_addr, subject, body_text, case_id, agency, disposition, created_at)
		VALUES (?, 'INBOX', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	insOut := prep(`INSERT INTO outbox(message_id, case_id, agency, kind, recipients, subject, email_json, status, next_attempt_at, created_at, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, '{}', 'sent', ?, ?, ?)`)
	insAudit := prep(`INSERT INTO audit(case_id, at, actor, event, detail) VALUES (?, ?, ?, ?, ?)`)
	insMeeting := prep(`INSERT INTO meetings(case_id, uid, at, invitees, updated_at) VALUES (?, ?, ?, ?, ?)`)
	exec := func(s *sql.Stmt, args ...any) {
		if _, err := s.ExecContext(ctx, args...); err != nil {
			b.Fatal(err)
		}
	}
	type agency struct{ name, email, partner string }
	agencies := []agency{
		{"Lewisham Children's Social Care", "csc.safeguarding@lewisham.gov.uk", "local_authority"},
		{"Metropolitan Police Service", "safeguarding.lead@met.example", "police"},
		{"NHS South East London ICB", "safeguarding.children@selondon-icb.example", "health"},
		{"Lewisham and Greenwich NHS Trust", "safeguarding@lgt-nhs.example", ""},
		{"Lewisham Education Safeguarding", "education.safeguarding@lewisham.gov.uk", ""},
	}
	stages := []string{"referral", "scoping", "scoping", "rapid_review"}
	t := func(x time.Time) any { return x.UTC().Format(time.RFC3339) }
	msg, uid := 0, 0
	for i := 1; i <= n; i++ {
		// Referrals about one a working day over the years before now; the newest last.
		received := now.Add(-time.Duration(n-i) * 7 * time.Hour).Truncate(time.Minute)
		year, seq := received.Year(), i
		ref := fmt.Sprintf("LSCP-%d-%03d", year, seq)
		if i == n/2+1 {
			midRef = ref // scoped, with returns and chasers
		}
		stage := stages[i%len(stages)]
		if i <= n-n/openOneIn {
			stage = "closed"
		}
		initials := string(rune('A'+i%26)) + string(rune('A'+(i/26)%26))
		day := func(d int) time.Time {
			x := received.AddDate(0, 0, d)
			return time.Date(x.Year(), x.Month(), x.Day(), 17, 0, 0, 0, time.UTC)
		}
		exec(insCase, i, ref, year, seq, stage, initials, t(received), received.AddDate(0, 0, -2).Format("2006-01-02"), "serious_harm",
			"Lewisham and Greenwich NHS Trust", "safeguarding@lgt-nhs.example", i%37 == 0, `{"fields":{"incident_kind":"serious_harm"}}`, t(received))
		exec(insMsg, fmt.Sprintf("r%d@lgt-nhs.example", i), uid+1, t(received), "safeguarding@lgt-nhs.example", "Referral", "Please see the attached referral.", i, "", "referral", t(received))
		uid++
		exec(insAudit, i, t(received), "safeguarding@lgt-nhs.example", "case_created", "case opened from referral message r"+fmt.Sprint(i)+"@lgt-nhs.example")
		out := func(at time.Time, ag agency, kind, subject string) {
			msg++
			exec(insOut, fmt.Sprintf("%s.%016x.%020x@lewisham.gov.uk", ref, msg, msg), i, ag.name, kind, ag.email, "["+ref+"] "+subject, t(at), t(at), t(at))
			exec(insAudit, i, t(at), "csprbot", "message_out_queued", kind+" to "+ag.email)
		}
		out(received, agency{"", "safeguarding@lgt-nhs.example", ""}, "ack_referrer", "Referral received (child "+initials+")")
		out(received, agency{"", "strategic.lead@lewisham.gov.uk", ""}, "staff_new_referral", "New referral (child "+initials+"): please review and start scoping")
		for _, ag := range agencies {
			exec(insAgency, i, ag.name, ag.email, ag.partner, "named in the referral")
		}
		exec(insDeadline, i, "panel_notification", "", nil, t(day(7)), "pending", nil)
		exec(insDeadline, i, "rr_meeting", "", t(day(9)), t(day(17)), "pending", nil)
		if stage == "referral" || stage == "closed" && i%5 == 0 {
			exec(insDeadline, i, "scoping_sent", "", nil, t(day(2)), "pending", nil)
			continue
		}
		scoped := received.Add(2 * time.Hour)
		exec(insDeadline, i, "scoping_sent", "", nil, t(day(2)), "met", t(scoped))
		exec(insAudit, i, t(scoped), "staff", "scoping_started", "scoping requested by staff")
		for k, ag := range agencies {
			due := day(8)
			status, chasers := "awaiting", 0
			var rec any
			switch (i + k) % 5 {
			case 0:
				status, rec = "received", t(received.AddDate(0, 0, 3))
			case 1:
				status, rec = "nil_return", t(received.AddDate(0, 0, 4))
			case 2:
				status, chasers = "escalated", 2
			case 3:
				if i%2 == 0 {
					status = "waived"
				}
			}
			out(scoped, ag, "scoping_request", "Initial scoping request (child "+initials+")")
			exec(insReturn, i, ag.name, ag.email, t(scoped), t(due), rec, status, chasers, fmt.Sprintf("%s.%016x.%020x@lewisham.gov.uk", ref, msg, msg), t(scoped))
			dstatus, met := "pending", any(nil)
			if rec != nil {
				dstatus, met = "met", rec
				exec(insMsg, fmt.Sprintf("ret%d.%d@example.org", i, k), uid+1, rec, ag.email, "RE: scoping request", "Our return is attached.", i, ag.name, "return", rec)
				uid++
				exec(insAudit, i, rec, ag.name, "return_"+status, "scoping return received")
			}
			if status == "waived" {
				dstatus = "waived"
			}
			exec(insDeadline, i, "scoping_return", ag.name, nil, t(due), dstatus, met)
			for c := 1; c <= chasers; c++ {
				at := due.AddDate(0, 0, c)
				out(at, ag, "chaser", "Overdue: initial scoping form")
				exec(insAudit, i, t(at), "csprbot", "chaser_sent", fmt.Sprintf("%s: chaser %d (return was due %s)", ag.name, c, t(due)))
			}
		}
		if stage == "rapid_review" || stage == "closed" {
			meet := day(12).Add(-7 * time.Hour)
			exec(insMeeting, i, fmt.Sprintf("rr-%d@lewisham.gov.uk", i), t(meet), "csc.safeguarding@lewisham.gov.uk,safeguarding.lead@met.example", t(scoped))
			exec(insAudit, i, t(scoped), "staff", "meeting_set", "Rapid Review meeting set")
			exec(insDeadline, i, "rr_papers", "", nil, t(meet), "pending", nil)
			exec(insDeadline, i, "rr_submission", "", nil, t(day(14)), "pending", nil)
			exec(insDeadline, i, "outcome_notice", "", nil, t(day(14)), "pending", nil)
			for _, ag := range agencies[:3] {
				out(scoped, ag, "meeting_invite", "Rapid Review meeting (child "+initials+")")
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("built a store of %d cases in %s", n, time.Since(start).Round(time.Millisecond))
	return cfgPath, midRef
}
