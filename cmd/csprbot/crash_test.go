package main

// The crash harness (issue 5, guarantee 1): the real csprbot binary against in-process
// IMAP and SMTP servers, fed referrals, returns, out-of-office replies and due
// deadlines, killed with SIGKILL at random moments and restarted, again and again.
// Afterwards every message in the mailbox is recorded exactly once and \Seen, every
// referral made one case, every email that fell due was sent, and none was sent twice.
//
// The one window SMTP leaves open: the server has accepted DATA but csprbot dies before
// it marks the outbox row sent. The retry carries the same Message-ID (and the same
// content); such pairs are counted as same-id retries, not duplicates.
//
// go test ./cmd/csprbot -run TestCrashHarness -v              50 kills (CI)
// CSPRBOT_CRASH_KILLS=500 CSPRBOT_CRASH_SEED=42 .ci/crash     longer, reproducible

import (
	"archive/zip"
	"bufio"
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
)

// buildBinary builds cmd/csprbot once into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "csprbot")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the binary: %v", err)
	}
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func envInt(name string, def int64) int64 {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

// crashAgencies are the agencies every demo referral's case asks for a scoping return:
// the three statutory partners and those the referral names (e2eConfig's directory).
var crashAgencies = map[string]string{
	"Lewisham Children's Social Care":  "csc.safeguarding@lewisham.gov.uk",
	"Metropolitan Police Service":      "safeguarding.lead@met.example",
	"NHS South East London ICB":        "safeguarding.children@selondon-icb.example",
	"Lewisham and Greenwich NHS Trust": "safeguarding@lgt-nhs.example",
	"Lewisham Education Safeguarding":  "education.safeguarding@lewisham.gov.uk",
}

const (
	crashPolice = "Metropolitan Police Service"
	crashCSC    = "Lewisham Children's Social Care"
)

// fictional children's names for the varied referrals
var crashChildren = []string{"Ellie Testcase", "Noah Sampleton", "Mia Fictional", "Leo Madeup", "Ava Notreal",
	"Oscar Invented", "Isla Pretend", "Jack Imaginary", "Ruby Storybook", "Finn Nobody", "Lily Demo", "Theo Dummy"}

type crashHarness struct {
	t     *testing.T
	e     *e2e
	bin   string
	rng   *rand.Rand
	db    *sql.DB
	logf  *os.File
	kills int
	// kills that fell while the daemon was sending (it had sent some, more were queued) or
	// taking in mail (it had recorded some, more were waiting)
	midSend, midIntake int
	// what was delivered: Message-ID → kind (referral, return, ooo)
	delivered map[string]string
	seq       int
}

// deliver puts a message into the inbox (arrival at 'at') and remembers it.
func (h *crashHarness) deliver(m demoMail, at time.Time, kind string) {
	h.seq++
	raw := m.raw("safeguardingpartnership@lewisham.gov.uk", at, 1000+h.seq)
	id := messageIDOf(raw)
	if _, dup := h.delivered[id]; dup {
		h.t.Fatalf("harness bug: Message-ID %s delivered twice", id)
	}
	if err := h.e.imap.Deliver("INBOX", raw, at); err != nil {
		h.t.Fatal(err)
	}
	h.delivered[id] = kind
}

// life starts `csprbot run --config CFG --now NOW`, lets it run 0–400 ms (meanwhile
// calling during, if given, at a random moment), and kills it with SIGKILL.
func (h *crashHarness) life(now string, during func()) {
	h.t.Helper()
	cmd := exec.Command(h.bin, "run", "--config", h.e.cfg, "--now", now)
	cmd.Stdout, cmd.Stderr = h.logf, h.logf
	fmt.Fprintf(h.logf, "=== life %d --now %s\n", h.kills+1, now)
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	sentBefore, recBefore := len(h.e.smtp.Messages()), queryInt(h.db, `SELECT count(*) FROM messages`)
	// 0–400 ms; half the lives end in the first 80 ms, where a fresh daemon does most
	// of its work (intake of what is waiting, the scheduler, the outbox).
	delay := time.Duration(h.rng.IntN(401)) * time.Millisecond
	if h.rng.IntN(2) == 0 {
		delay = time.Duration(h.rng.IntN(81)) * time.Millisecond
	}
	if during != nil {
		first := time.Duration(h.rng.Int64N(int64(delay) + 1))
		time.Sleep(first)
		during()
		delay -= first
	}
	time.Sleep(delay)
	select {
	case err := <-exited:
		h.fail("csprbot run exited by itself (%v) before it was killed", err)
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	err := <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		h.fail("csprbot run ended with %v, not by SIGKILL", err)
	}
	h.kills++
	// Did the kill land in the middle of work?
	if len(h.e.smtp.Messages()) > sentBefore && h.queued() > 0 {
		h.midSend++
	}
	if rec := queryInt(h.db, `SELECT count(*) FROM messages`); rec > recBefore && rec < len(h.delivered) {
		h.midIntake++
	}
}

// cli runs a one-shot csprbot command to completion.
func (h *crashHarness) cli(args ...string) string {
	h.t.Helper()
	cmd := exec.Command(h.bin, append(args, "--config", h.e.cfg)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		h.fail("csprbot %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// fail stops the test with the tail of the daemons' log.
func (h *crashHarness) fail(format string, a ...any) {
	h.t.Helper()
	h.logf.Sync()
	b, _ := os.ReadFile(h.logf.Name())
	lines := strings.Split(string(b), "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	h.t.Fatalf(format+"\nlast lines of the daemons' log (%s):\n%s", append(a, h.logf.Name(), strings.Join(lines, "\n"))...)
}

// queued counts outbox rows still waiting to be sent, or claimed for sending by a daemon
// that was killed before it recorded the outcome (the next one sends them again).
func (h *crashHarness) queued() int {
	return queryInt(h.db, `SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')`)
}

func (h *crashHarness) recordedAll() bool {
	return queryInt(h.db, `SELECT count(*) FROM messages`) == len(h.delivered)
}

// phase runs lives at clock 'now' until at least minKills kills have happened in it and
// done() holds (everything delivered recorded, nothing queued); step runs before each life
// and during (if not nil) inside it.
func (h *crashHarness) phase(name, now string, minKills int, step, during func(), done func() bool) {
	h.t.Helper()
	start := h.kills
	for i := 0; ; i++ {
		if h.kills-start >= minKills && done() {
			h.t.Logf("phase %-9s --now %s: %d kills", name, now, h.kills-start)
			return
		}
		if i > minKills+150 {
			h.fail("phase %s: not done after %d lives (recorded %d of %d messages, %d emails queued)", name, i,
				queryInt(h.db, `SELECT count(*) FROM messages`), len(h.delivered), h.queued())
		}
		if step != nil {
			step()
		}
		var d func()
		if during != nil && h.rng.IntN(3) == 0 {
			d = during
		}
		h.life(now, d)
	}
}

type caseInfo struct {
	ref, initials string
}

func (h *crashHarness) cases() []caseInfo {
	rows, err := h.db.Query(`SELECT ref, child_initials FROM cases ORDER BY id`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []caseInfo
	for rows.Next() {
		var c caseInfo
		rows.Scan(&c.ref, &c.initials)
		out = append(out, c)
	}
	return out
}

func TestCrashHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("crash harness in -short")
	}
	began := time.Now()
	kills := int(envInt("CSPRBOT_CRASH_KILLS", 50))
	seed := envInt("CSPRBOT_CRASH_SEED", time.Now().UnixNano())
	fmt.Printf("crash harness: seed=%d kills>=%d (rerun with CSPRBOT_CRASH_SEED=%d)\n", seed, kills, seed)
	t.Logf("seed %d", seed)

	tmp := t.TempDir()
	bin := buildBinary(t, tmp)
	e := newE2E(t)
	logf, err := os.Create(filepath.Join(tmp, "daemons.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	h := &crashHarness{t: t, e: e, bin: bin, rng: rand.New(rand.NewPCG(uint64(seed), 5)), logf: logf, delivered: map[string]string{}}
	// newE2E created the store (csprbot init); a reporting command beside it is harmless.
	h.cli("cases", "--json", "--now", "2026-12-07T09:00:00Z")
	h.db = openStore(t, e.dbPath())

	nRef := 12
	if kills >= 200 {
		nRef = 20 // the daily cap (40 automatic emails per address) bounds this
	}
	referrers := []string{"safeguarding@lgt-nhs.example", "education.safeguarding@lewisham.gov.uk", "safeguarding.children@selondon-icb.example"}
	per := max(kills/5, 1)

	// 1. Referrals arrive (Monday 7 December 2026, 10:00).
	t1 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var pending []demoMail
	for i := range nRef {
		pending = append(pending, demoMail{from: referrers[i%len(referrers)], subject: "Referral for a Child Safeguarding Practice Review",
			body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor(crashChildren[i%len(crashChildren)])})
	}
	next := func(kind string, at time.Time) func() {
		return func() {
			if len(pending) > 0 {
				h.deliver(pending[0], at, kind)
				pending = pending[1:]
			}
		}
	}
	some := func(f func()) func() {
		return func() {
			for range h.rng.IntN(3) {
				f()
			}
		}
	}
	// The hostile corpus (issue 8): a referral through a mailing list opens its case like
	// any other; a .docx whose header parts add up to far more text than any form
	// (a decompression bomb) is recorded for triage and stops nothing behind it.
	pending = append(pending, demoMail{from: "lists@lewisham.gov.uk", subject: "Referral for a Child Safeguarding Practice Review",
		headers: map[string]string{"List-Id": "<safeguarding.lewisham.gov.uk>", "Precedence": "list"},
		body:    "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Listy Mailcase")})
	nRef++
	h.deliver(demoMail{from: "scanner@lewisham.gov.uk", subject: "Scanned document", body: "Scanned.",
		attachName: "scan.docx", attach: headerBombDocx(200)}, t1, "hostile")
	settled := func() bool { return len(pending) == 0 && h.recordedAll() && h.queued() == 0 }
	h.phase("referrals", t1.Format(time.RFC3339), per, some(next("referral", t1)), next("referral", t1), settled)
	if got := len(h.cases()); got != nRef {
		h.fail("%d cases after %d referrals", got, nRef)
	}

	// 2. Staff open scoping on every case (11:00): the command line, beside the daemon.
	scoped := map[string]bool{}
	scopeOne := func() {
		for _, c := range h.cases() {
			if !scoped[c.ref] {
				h.cli("case", c.ref, "scoping", "--now", "2026-12-07T11:00:00Z")
				scoped[c.ref] = true
				return
			}
		}
	}
	h.phase("scoping", "2026-12-07T11:00:00Z", per, some(scopeOne), scopeOne, func() bool { return len(scoped) == nRef && settled() })

	// 3. Replies to the scoping requests the sink received (Wednesday 9 December, 14:30):
	// the police return the form on every other case; Children's Social Care's lead is away.
	t3 := time.Date(2026, 12, 9, 14, 30, 0, 0, time.UTC)
	returned := map[string]bool{}
	kinds := []string{}
	for i, c := range h.cases() {
		for _, ag := range []string{crashPolice, crashCSC} {
			var reqID string
			if err := h.db.QueryRow(`SELECT request_msgid FROM returns r JOIN cases c ON c.id = r.case_id WHERE c.ref = ? AND r.agency = ?`, c.ref, ag).Scan(&reqID); err != nil {
				h.fail("%s: no scoping request to %s: %v", c.ref, ag, err)
			}
			if h.e.sinkCount(reqID) == 0 {
				h.fail("%s: the scoping request to %s (%s) never reached the sink", c.ref, ag, reqID)
			}
			switch {
			case ag == crashPolice && i%2 == 0:
				pending = append(pending, demoMail{from: crashAgencies[ag], subject: "RE: [" + c.ref + "] Scoping request", inReplyTo: reqID,
					body: "Completed form attached.", attachName: "scoping-return.docx", attach: demoScopingReturn(c.ref, c.initials)})
				kinds = append(kinds, "return")
				returned[c.ref] = true
			case ag == crashCSC:
				pending = append(pending, demoMail{from: crashAgencies[ag], subject: "Automatic reply: [" + c.ref + "] Scoping request", inReplyTo: reqID,
					headers: map[string]string{"Auto-Submitted": "auto-replied", "X-MS-Exchange-Inbox-Rules-Loop": crashAgencies[ag]},
					body:    "I am out of the office until Monday 14 December 2026 with no access to email."})
				kinds = append(kinds, "ooo")
			}
		}
	}
	nextReply := func() {
		if len(pending) > 0 {
			h.deliver(pending[0], t3, kinds[0])
			pending, kinds = pending[1:], kinds[1:]
		}
	}
	h.phase("returns", t3.Format(time.RFC3339), per, some(nextReply), nextReply, settled)

	// 4. Monday 14 December 09:30: returns are due tomorrow; reminders fall due.
	expectReminders := 0
	for _, c := range h.cases() {
		expectReminders += len(crashAgencies)
		if returned[c.ref] {
			expectReminders--
		}
	}
	countKind := func(kind string) int { return queryInt(h.db, `SELECT count(*) FROM outbox WHERE kind = ?`, kind) }
	h.phase("reminders", "2026-12-14T09:30:00Z", per, nil, nil, func() bool { return countKind("reminder") >= expectReminders && settled() })
	// 5. Wednesday 16 December 09:30: the return date has passed; chasers fall due.
	h.phase("chasers", "2026-12-16T09:30:00Z", max(kills-h.kills, per), nil, nil, func() bool { return countKind("chaser") >= expectReminders && settled() })

	// Then csprbot run --once until quiet.
	for i := 0; ; i++ {
		before := len(h.e.smtp.Messages())
		h.cli("run", "--once", "--now", "2026-12-16T09:45:00Z")
		if len(h.e.smtp.Messages()) == before && h.queued() == 0 {
			break
		}
		if i == 5 {
			h.fail("csprbot run --once still sending after 6 runs")
		}
	}

	r := h.check(returned, expectReminders)
	summary := fmt.Sprintf("crash harness: kills=%d messages=%d cases=%d sent=%d duplicates=%d lost=%d same-id-retries=%d seed=%d",
		h.kills, r.messages, r.cases, r.sent, r.duplicates, r.lost, r.sameID, seed)
	fmt.Println(summary)
	t.Log(summary)
	t.Logf("%s; took %s", r.notes, time.Since(began).Round(time.Millisecond))
	if h.kills < kills {
		t.Errorf("only %d kills, want at least %d", h.kills, kills)
	}
	if r.duplicates != 0 || r.lost != 0 {
		h.fail("duplicates=%d lost=%d:\n%s", r.duplicates, r.lost, strings.Join(r.problems, "\n"))
	}
	if len(r.problems) > 0 {
		h.fail("%s", strings.Join(r.problems, "\n"))
	}
}

type crashResult struct {
	messages, cases, sent, duplicates, lost, sameID int
	problems                                        []string
	notes                                           string
}

// check compares what the mailbox, the store and the sink hold with what the stream
// should have caused.
func (h *crashHarness) check(returned map[string]bool, expectReminders int) crashResult {
	var r crashResult
	bad := func(format string, a ...any) { r.problems = append(r.problems, fmt.Sprintf(format, a...)) }

	// Every message in the mailbox is recorded exactly once and is \Seen.
	msgs, err := h.e.imap.Messages("INBOX")
	if err != nil {
		h.t.Fatal(err)
	}
	r.messages = len(msgs)
	if len(msgs) != len(h.delivered) {
		bad("mailbox holds %d messages, the harness delivered %d", len(msgs), len(h.delivered))
	}
	for _, m := range msgs {
		id := messageIDOf(m.Raw)
		if n := queryInt(h.db, `SELECT count(*) FROM messages WHERE message_id = ?`, id); n != 1 {
			bad("message %s (%s) recorded %d times", id, h.delivered[id], n)
			r.lost++
		}
		if !m.HasFlag(`\Seen`) {
			bad("message %s (uid %d) not \\Seen", id, m.UID)
		}
	}
	if n := queryInt(h.db, `SELECT count(*) FROM messages`); n != len(msgs) {
		bad("store records %d messages, mailbox holds %d", n, len(msgs))
	}

	// Every referral made exactly one case.
	caseOf := map[int64]string{}
	nRef := 0
	for id, kind := range h.delivered {
		var disp, want string
		var caseID sql.NullInt64
		_ = h.db.QueryRow(`SELECT disposition, case_id FROM messages WHERE message_id = ?`, id).Scan(&disp, &caseID)
		switch kind {
		case "referral":
			nRef++
			want = "referral"
			if !caseID.Valid {
				bad("referral %s made no case", id)
			} else if other, dup := caseOf[caseID.Int64]; dup {
				bad("referrals %s and %s share case %d", id, other, caseID.Int64)
			} else {
				caseOf[caseID.Int64] = id
			}
		case "return":
			want = "return"
		case "ooo":
			want = "auto"
		case "hostile":
			want = "triage"
		}
		if disp != want {
			bad("%s %s recorded as %q, want %q", kind, id, disp, want)
		}
	}
	r.cases = queryInt(h.db, `SELECT count(*) FROM cases`)
	if r.cases != nRef {
		bad("%d cases for %d referrals", r.cases, nRef)
	}

	// The outbox: nothing left unsent.
	type row struct{ id, kind, ref, agency, status, to, day string }
	rows, err := h.db.Query(`SELECT o.message_id, o.kind, coalesce(c.ref, ''), o.agency, o.status, o.recipients, substr(o.created_at, 1, 10)
		FROM outbox o LEFT JOIN cases c ON c.id = o.case_id ORDER BY o.id`)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []row
	for rows.Next() {
		var x row
		rows.Scan(&x.id, &x.kind, &x.ref, &x.agency, &x.status, &x.to, &x.day)
		out = append(out, x)
	}
	rows.Close()
	inOutbox := map[string]bool{}
	for _, x := range out {
		inOutbox[x.id] = true
		if x.status != "sent" {
			bad("outbox %s (%s %s %s) is %s, not sent", x.id, x.kind, x.ref, x.agency, x.status)
			r.lost++
		}
	}

	// The sink: each outbox email exactly once, except same-id retries.
	bySink := map[string][][]byte{}
	for _, m := range h.e.smtp.Messages() {
		bySink[m.MessageID] = append(bySink[m.MessageID], m.Data)
	}
	identical, sameContent := 0, 0
	for id, copies := range bySink {
		if !inOutbox[id] {
			bad("the sink received %s, which is in no outbox row", id)
			r.duplicates++
			continue
		}
		r.sent++
		for _, c := range copies[1:] {
			switch {
			case bytes.Equal(c, copies[0]):
				identical++
				r.sameID++
			case sameMail(c, copies[0]):
				sameContent++
				r.sameID++
			default:
				bad("%s reached the sink twice with different content", id)
				r.duplicates++
			}
		}
	}
	for _, x := range out {
		if x.status == "sent" && len(bySink[x.id]) == 0 {
			bad("outbox %s (%s %s %s) is marked sent but never reached the sink", x.id, x.kind, x.ref, x.agency)
			r.lost++
		}
	}

	// The emails the stream should cause, one each.
	want := map[string]int{}
	key := func(kind, ref, agency string) string { return kind + "|" + ref + "|" + agency }
	for _, c := range h.cases() {
		// A referral that came through a mailing list is acted on, never answered.
		if queryInt(h.db, `SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.ref = ? AND m.disposition IN ('referral', 'referral_incomplete') AND m.auto != ''`, c.ref) == 0 {
			want[key("ack_referrer", c.ref, "")] = 1
		}
		want[key("staff_new_referral", c.ref, "")] = 1
		for ag := range crashAgencies {
			want[key("scoping_request", c.ref, ag)] = 1
			if ag == crashPolice && returned[c.ref] {
				want[key("return_received", c.ref, ag)] = 1
				continue
			}
			want[key("reminder", c.ref, ag)] = 1
			want[key("chaser", c.ref, ag)] = 1
		}
	}
	modelled := map[string]bool{"ack_referrer": true, "staff_new_referral": true, "scoping_request": true, "return_received": true, "reminder": true, "chaser": true}
	got := map[string]int{}
	other := map[string]int{}
	otherKey := map[string]int{}
	for _, x := range out {
		if !modelled[x.kind] {
			// Emails the stream does not model (a weekly digest, say): still never the
			// same kind to the same people about the same case twice in a day.
			other[x.kind]++
			if x.kind != "staff_attention" && x.kind != "command_reply" {
				otherKey[key(x.kind, x.ref, x.agency)+"|"+x.to+"|"+x.day]++
			}
			continue
		}
		got[key(x.kind, x.ref, x.agency)]++
	}
	for k, n := range otherKey {
		if n > 1 {
			bad("email %s queued %d times on one day", k, n)
			r.duplicates += n - 1
		}
	}
	for k, n := range got {
		switch {
		case want[k] == 0:
			bad("unexpected email %s (%d)", k, n)
			r.duplicates += n
		case n > 1:
			bad("email %s queued %d times", k, n)
			r.duplicates += n - 1
		}
	}
	for k := range want {
		if got[k] == 0 {
			bad("email %s never queued", k)
			r.lost++
		}
	}
	notes := []string{fmt.Sprintf("kills mid-send %d, mid-intake %d", h.midSend, h.midIntake)}
	notes = append(notes, fmt.Sprintf("expected emails %d (reminders %d, chasers %d)", len(want), expectReminders, expectReminders))
	if identical+sameContent > 0 {
		notes = append(notes, fmt.Sprintf("same-id retries: %d byte-identical, %d same content with a new MIME boundary", identical, sameContent))
	}
	if len(other) > 0 {
		ks := make([]string, 0, len(other))
		for k, n := range other {
			ks = append(ks, fmt.Sprintf("%s=%d", k, n))
		}
		slices.Sort(ks)
		notes = append(notes, "other emails: "+strings.Join(ks, " "))
	}
	if n := h.logCount("marking messages recorded before an interruption"); n > 0 {
		notes = append(notes, fmt.Sprintf("%d restarts found messages recorded but not yet \\Seen (killed between commit and flag)", n))
	}
	if p := h.panics(); p != "" {
		bad("a daemon panicked:\n%s", p)
	}
	r.notes = strings.Join(notes, "; ")
	return r
}

// sameMail reports whether two copies of a message carry the same headers that matter
// and the same decoded content (go-mail draws a new MIME boundary each time it builds).
func sameMail(a, b []byte) bool {
	ma, err1 := mailbox.Decode(a, mailbox.Limits{})
	mb, err2 := mailbox.Decode(b, mailbox.Limits{})
	if err1 != nil || err2 != nil || ma == nil || mb == nil {
		return false
	}
	if ma.MessageID != mb.MessageID || ma.Subject != mb.Subject || ma.Text != mb.Text || ma.HTML != mb.HTML ||
		!slices.Equal(ma.To, mb.To) || !slices.Equal(ma.Cc, mb.Cc) || len(ma.Attachments) != len(mb.Attachments) {
		return false
	}
	for i := range ma.Attachments {
		if ma.Attachments[i].Name != mb.Attachments[i].Name || !bytes.Equal(ma.Attachments[i].Data, mb.Attachments[i].Data) {
			return false
		}
	}
	return true
}

// logCount counts the daemons' log lines containing sub.
func (h *crashHarness) logCount(sub string) int {
	b, _ := os.ReadFile(h.logf.Name())
	return strings.Count(string(b), sub)
}

// panics returns the first panic in the daemons' log, if any.
func (h *crashHarness) panics() string {
	f, err := os.Open(h.logf.Name())
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []string
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") || len(out) > 0 && len(out) < 20 {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// headerBombDocx is a .docx whose n header parts hold 1 MiB of text each: small on the
// wire (it compresses a thousandfold), far beyond any form once read.
func headerBombDocx(n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`)
	add("word/document.xml", `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Scanned</w:t></w:r></w:p></w:body></w:document>`)
	text := strings.Repeat("a", 1<<20)
	for i := range n {
		add(fmt.Sprintf("word/header%d.xml", i+1), `<?xml version="1.0"?><w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:r><w:t>`+text+`</w:t></w:r></w:p></w:hdr>`)
	}
	zw.Close()
	return buf.Bytes()
}
