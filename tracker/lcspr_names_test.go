package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every Terms of Reference timetable row is a deadline under one of process.md's rules:
// the step it is a step of (issue 10: no rule names of csprbot's own).
func TestTimetableRuleIsAProcessStep(t *testing.T) {
	names := map[string]bool{}
	for _, r := range DefaultRules() {
		names[r.Name] = true
	}
	for _, tc := range []struct {
		action, rule string
		panel        bool
	}{
		{"Chronologies from agencies", "lcspr_returns", false},
		{"Agency reports returned", "lcspr_returns", false},
		{"Information reports to the panel", "lcspr_returns", false},
		{"Practitioner learning event", "learning_event", false},
		{"Reflective learning workshop", "learning_event", false},
		{"Family informed of the review (Appendix 7, 8)", "learning_event", false},
		{"Conversations with the family", "learning_event", false},
		{"Draft overview report to the review panel", "final_report", false},
		{"Final report to the National Panel, Ofsted and the Secretary of State", "final_report", false},
		{"Publication of the review", "lcspr_publication", false},
		{"Publication of the final report", "lcspr_publication", false},
		{"Report sent to the NSPCC repository", "nspcc_submission", false},
		{"Terms of Reference agreed by the Learning from Practice subgroup", "lcspr_publication", false},
		{"Panel meeting 1", "lcspr_publication", true},
		{"Local CSPR panel meeting: key themes", "lcspr_publication", true},
		{"Midway review", "lcspr_publication", false},
		{"Lead reviewer appointed", "lcspr_publication", false},
		{"Draft action plan completed", "lcspr_publication", false},
	} {
		t.Run(tc.action, func(t *testing.T) {
			got := timetableRule(tc.action)
			if got != tc.rule {
				t.Errorf("timetableRule(%q) = %s, want %s", tc.action, got, tc.rule)
			}
			if !names[got] {
				t.Errorf("timetableRule(%q) = %s: not a process.md rule", tc.action, got)
			}
			if p := panelMeetingStep(tc.action); p != tc.panel {
				t.Errorf("panelMeetingStep(%q) = %v, want %v", tc.action, p, tc.panel)
			}
		})
	}
	// The outline timetable csprbot itself proposes (drafts_tor.go) reads back under
	// process.md's names too.
	clock := &testClock{}
	clock.Set("2027-01-04T10:00:00Z")
	tr := newRRTracker(t, clock, nil)
	for _, r := range tr.proposedTimetable(mustTime("2027-01-04T10:00:00Z")) {
		if rule := timetableRule(r.Action); !names[rule] {
			t.Errorf("proposed row %q under %s: not a process.md rule", r.Action, rule)
		}
	}
}

// A store an earlier csprbot wrote, with deadlines under tor_timetable and
// publication_kept, opens with every row kept under process.md's names (migration 070).
func TestMigrationRenamesOldRuleNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if n, _ := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0]); n > 61 {
			break
		}
		body, _ := migrations.ReadFile("migrations/" + e.Name())
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
	}
	if _, err := db.Exec(`PRAGMA user_version = 61`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO cases(ref, year, seq, stage, referral_received, created_at) VALUES ('LSCP-2026-001', 2026, 1, 'lcspr', '2026-12-07T10:15:00Z', '2026-12-07T10:15:00Z');
		INSERT INTO deadlines(case_id, rule, agency, due_at, status, note) VALUES
			(1, 'tor_timetable', 'Panel meeting 1', '2027-02-10T17:00:00Z', 'pending', 'timetable: responsible Chair'),
			(1, 'tor_timetable', 'Draft overview report to the review panel', '2027-04-01T16:00:00Z', 'pending', 'timetable: responsible Lead reviewer'),
			(1, 'tor_timetable', 'Publication of the review', '2027-06-17T16:00:00Z', 'pending', 'timetable: responsible Strategic Safeguarding Lead'),
			(1, 'tor_timetable', 'Family conversations', '2027-03-01T17:00:00Z', 'met', 'timetable: responsible Lead reviewer'),
			(1, 'tor_timetable', 'Midway review', '2027-03-20T17:00:00Z', 'pending', 'timetable: responsible Strategic Safeguarding Lead'),
			(1, 'lcspr_publication', 'Midway review', '2027-03-20T17:00:00Z', 'pending', 'entered by hand'),
			(1, 'lcspr_publication', '', '2027-06-17T16:00:00Z', 'met', ''),
			(1, 'nspcc_submission', '', '2027-06-03T16:00:00Z', 'met', ''),
			(1, 'publication_kept', '', '2028-06-03T16:00:00Z', 'pending', 'the published report stays on the website until then')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := Open(ctx, path, func() time.Time { return mustTime("2027-06-20T09:00:00Z") }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.DB().Query(`SELECT rule, agency, due_at, status FROM deadlines ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var rule, agency, due, status string
		if err := rows.Scan(&rule, &agency, &due, &status); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s|%s|%s|%s", rule, agency, due, status))
	}
	rows.Close()
	want := []string{
		"lcspr_publication|Panel meeting 1|2027-02-10T17:00:00Z|pending",
		"final_report|Draft overview report to the review panel|2027-04-01T16:00:00Z|pending",
		"lcspr_publication|Publication of the review|2027-06-17T16:00:00Z|pending",
		"learning_event|Family conversations|2027-03-01T17:00:00Z|met",
		"lcspr_publication|Midway review (deadline 5)|2027-03-20T17:00:00Z|pending", // collided with the row below: kept, told apart
		"lcspr_publication|Midway review|2027-03-20T17:00:00Z|pending",
		"lcspr_publication||2027-06-17T16:00:00Z|met",
		"nspcc_submission||2027-06-03T16:00:00Z|met",
		"nspcc_submission|" + KeptAgency + "|2028-06-03T16:00:00Z|pending",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deadlines after migrating:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Each row the migration renamed goes under the rule the code now gives its words.
	for _, g := range got[:4] {
		f := strings.Split(g, "|")
		if r := timetableRule(f[1]); r != f[0] {
			t.Errorf("migrated %q under %s, but timetableRule says %s", f[1], f[0], r)
		}
	}
	d, err := st.Case(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	for _, dl := range d.Deadlines {
		if dl.Rule == "tor_timetable" || dl.Rule == "publication_kept" {
			t.Errorf("case shows a deadline under %s", dl.Rule)
		}
	}
}

// openTrackerAt opens (or reopens) a tracker on the store at path: a restart.
func openTrackerAt(t *testing.T, path string, clock *testClock, cfg Config) (*Tracker, func()) {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, path, clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(ctx, st, cfg, cal, rrRenderer{})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	return tr, func() { st.Close() }
}

// nspccNotices are the NSPCC submissions in the outbox, by status.
func nspccNotices(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT o.status FROM national_notices n JOIN outbox o ON o.message_id = n.outbox_msgid WHERE n.what = ?`, NoticeNSPCC)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out[s]++
	}
	return out
}

func nspccConfig() Config {
	c := rrConfig()
	c.Addresses.NSPCC = "information@nspcc.org.uk"
	return c
}

// On the publication date given with the final report, the scheduler prepares the NSPCC
// submission, held for approval, from the chase hour London time; once, across a restart
// between preparing and approval, after approval, and when staff then record publication.
func TestNSPCCPreparedOnPublicationDate(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	path := filepath.Join(t.TempDir(), "csprbot.db")
	cfg := nspccConfig()
	tr, closeStore := openTrackerAt(t, path, clock, cfg)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-06-02T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err) // Thu 3 Jun 2027, London
	}
	tick := func(at string) {
		t.Helper()
		clock.Set(at)
		if _, err := tr.TickLCSPR(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tick("2027-06-02T16:00:00Z") // the day before
	tick("2027-06-03T07:59:00Z") // 08:59 BST on the day: before the chase hour
	if n := nspccNotices(t, tr.DB()); len(n) != 0 {
		t.Fatalf("NSPCC submission before the publication date's chase hour: %v", n)
	}
	tick("2027-06-03T08:00:00Z") // 09:00 BST
	if n := nspccNotices(t, tr.DB()); n["awaiting_approval"] != 1 || len(n) != 1 {
		t.Fatalf("on the publication date: NSPCC submissions %v, want one awaiting approval", n)
	}
	var e outRow
	for _, r := range outboxEmails(t, tr, TmplNationalNotice) {
		if strings.Contains(r.To, "nspcc") {
			e = r
		}
	}
	if len(e.Email.Attachments) == 0 || e.Email.Attachments[0].Name != "final-report.pdf" {
		t.Errorf("NSPCC submission carries %+v, want the final report", e.Email.Attachments)
	}
	told := 0
	for _, r := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(r.Email.Text, "publication date") && strings.Contains(r.Email.Text, "NSPCC") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("staff told %d times of the NSPCC submission, want once", told)
	}
	tick("2027-06-03T12:00:00Z")

	// A restart between preparing and approval.
	closeStore()
	tr, closeStore = openTrackerAt(t, path, clock, cfg)
	defer func() { closeStore() }()
	tick("2027-06-03T12:30:00Z")
	tick("2027-06-03T13:00:00Z")
	if n := nspccNotices(t, tr.DB()); n["awaiting_approval"] != 1 || len(n) != 1 {
		t.Fatalf("after a restart: NSPCC submissions %v, want the one still awaiting approval", n)
	}
	clock.Set("2027-06-03T14:00:00Z") // approved on the day: the deadline is met
	if _, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "nspcc", "test"); err != nil {
		t.Fatal(err)
	}
	tick("2027-06-04T11:00:00Z")
	tick("2027-06-07T08:00:00Z")
	clock.Set("2027-06-07T09:00:00Z")
	out, err := tr.Published(ctx, "LSCP-2026-001", mustTime("2027-06-02T23:00:00Z"), "https://example.org/cspr", "test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "not sent again") {
		t.Errorf("Published after approval = %q, want it to say the NSPCC submission is not sent again", out)
	}
	tick("2027-06-08T08:00:00Z")
	if n := nspccNotices(t, tr.DB()); n["awaiting_approval"] != 0 || n["superseded"] != 0 || len(n) != 1 {
		t.Errorf("after approval and publication: NSPCC submissions %v, want the one approved only", n)
	}
	var st string
	if err := tr.DB().QueryRow(`SELECT status FROM deadlines WHERE rule = 'nspcc_submission' AND agency = ''`).Scan(&st); err != nil || st != "met" {
		t.Errorf("nspcc_submission %q, %v; want met on approval", st, err)
	}
	if due, st := keptDue(t, tr); due != "2028-06-03" || st != "pending" {
		t.Errorf("kept on the website until %s (%s), want 2028-06-03 pending", due, st)
	}
}

// Staff recording publication before the date still prepares the NSPCC submission then;
// the date arriving prepares nothing more. Recorded after the scheduler prepared it (still
// waiting), publication replaces it (with the recorded date and address): one waits.
func TestNSPCCPublishedEarlyOrLater(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, publishedAt string
		tickFirst         bool
		superseded        int
	}{
		{"early", "2027-06-01T10:00:00Z", false, 0},
		{"after the scheduler", "2027-06-03T14:00:00Z", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &testClock{}
			tr := newTrackerWith(t, clock, nspccConfig(), rrRenderer{})
			toApproved(t, tr, clock, "b")
			clock.Set("2027-05-10T10:00:00Z")
			if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-06-02T23:00:00Z"), false, "test"); err != nil {
				t.Fatal(err)
			}
			if tc.tickFirst {
				clock.Set("2027-06-03T08:30:00Z")
				if _, err := tr.TickLCSPR(ctx); err != nil {
					t.Fatal(err)
				}
			}
			clock.Set(tc.publishedAt)
			if _, err := tr.Published(ctx, "LSCP-2026-001", time.Time{}, "https://example.org/cspr", "test"); err != nil {
				t.Fatal(err)
			}
			for _, at := range []string{"2027-06-03T08:30:00Z", "2027-06-04T08:30:00Z"} {
				clock.Set(at)
				if _, err := tr.TickLCSPR(ctx); err != nil {
					t.Fatal(err)
				}
			}
			n := nspccNotices(t, tr.DB())
			if n["awaiting_approval"] != 1 || n["superseded"] != tc.superseded || len(n) > 2 {
				t.Errorf("NSPCC submissions %v, want one awaiting approval and %d replaced", n, tc.superseded)
			}
		})
	}
}

// The 8- and 4-week warnings count back from the six-month date as moved to a working day:
// decided Tue 3 Nov 2026, six months is Mon 3 May 2027 (a bank holiday), so publication is
// due Fri 30 Apr 2027 and the warnings go on Fri 5 Mar and Fri 2 Apr (09:00 London, after
// the clocks went forward). Decided 00:30 BST on Sat 1 May 2027, the date is Mon 1 Nov
// 2027, after the clocks went back, and the four-week warning goes at 09:00 BST on Mon 4 Oct.
func TestPublicationWarningsOnTheMovedDate(t *testing.T) {
	ctx := context.Background()
	warnings := func(t *testing.T, tr *Tracker) int {
		var n int
		if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'publication_warning'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name, now, decided, wantDue string
		ticks                       []struct {
			at   string
			want int
		}
	}{
		{"bank holiday", "2026-12-18T10:00:00Z", "2026-11-03T10:00:00Z", "2027-04-30T16:00:00Z", []struct {
			at   string
			want int
		}{
			{"2027-03-04T10:00:00Z", 0},
			{"2027-03-05T08:59:00Z", 0},
			{"2027-03-05T09:00:00Z", 1},
			{"2027-04-01T10:00:00Z", 1},
			{"2027-04-02T07:59:00Z", 1}, // 08:59 BST
			{"2027-04-02T08:00:00Z", 2},
			{"2027-04-30T10:00:00Z", 2},
		}},
		{"October clock change", "2027-05-04T10:00:00Z", "2027-04-30T23:30:00Z", "2027-11-01T17:00:00Z", []struct {
			at   string
			want int
		}{
			{"2027-09-03T10:00:00Z", 0},
			{"2027-09-06T08:00:00Z", 1},
			{"2027-10-01T10:00:00Z", 1},
			{"2027-10-04T07:59:00Z", 1},
			{"2027-10-04T08:00:00Z", 2},
			{"2027-11-01T10:00:00Z", 2},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &testClock{}
			tr := newRRTracker(t, clock, nil)
			toApproved(t, tr, clock, "b")
			clock.Set(tc.now)
			res, err := tr.Decide(ctx, "LSCP-2026-001", "local", mustTime(tc.decided), "test")
			if err != nil {
				t.Fatal(err)
			}
			if got := res.PublicationDue.UTC().Format(time.RFC3339); got != tc.wantDue {
				t.Fatalf("publication due %s, want %s", got, tc.wantDue)
			}
			for _, k := range tc.ticks {
				clock.Set(k.at)
				if _, err := tr.TickLCSPR(ctx); err != nil {
					t.Fatal(err)
				}
				if got := warnings(t, tr); got != k.want {
					t.Errorf("at %s: %d warnings, want %d", k.at, got, k.want)
				}
			}
		})
	}
}

// A timetable row under a stage's rule is named as a step toward that stage, never as the
// stage ("Review published (Panel meeting 1)" would say the review was published).
func TestDeadlineLabelOfATimetableRow(t *testing.T) {
	for _, tc := range []struct{ rule, label, agency, want string }{
		{"lcspr_publication", "Review published", "", "Review published"},
		{"lcspr_publication", "Review published", "Panel meeting 1", "Panel meeting 1 (timetable step toward: Review published)"},
		{"final_report", "Final report sent", "Draft overview report", "Draft overview report (timetable step toward: Final report sent)"},
		{"nspcc_submission", "Published report sent to the NSPCC", KeptAgency, "Published report kept on the website"},
		{"nspcc_submission", "Published report sent to the NSPCC", KeptAgency + " (deadline 9)", "Published report kept on the website"},
		{"scoping_return", "Scoping form returned", "Metropolitan Police Service", "Scoping form returned (Metropolitan Police Service)"},
		{"learning_event", "Practitioner learning event", "Family conversations", "Practitioner learning event (Family conversations)"},
	} {
		if got := withAgency(tc.rule, tc.label, tc.agency); got != tc.want {
			t.Errorf("withAgency(%s, %q, %q) = %q, want %q", tc.rule, tc.label, tc.agency, got, tc.want)
		}
	}
}

// A six-month date an earlier csprbot stored on a weekend moves to the working day before
// at the next scheduler pass, once, and the warnings count from the moved date.
func TestStoredSixMonthDateOnAWeekendMoves(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	if _, err := tr.DB().Exec(`UPDATE deadlines SET due_at = '2027-07-11T16:00:00Z' WHERE rule = 'lcspr_publication' AND agency = ''`); err != nil {
		t.Fatal(err) // Sun 11 Jul 2027, 17:00 BST, as stored before
	}
	for _, at := range []string{"2027-01-04T10:00:00Z", "2027-01-05T10:00:00Z"} {
		clock.Set(at)
		if _, err := tr.TickLCSPR(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var due string
	var moved int
	if err := tr.DB().QueryRow(`SELECT due_at FROM deadlines WHERE rule = 'lcspr_publication' AND agency = ''`).Scan(&due); err != nil {
		t.Fatal(err)
	}
	if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'deadline_moved'`).Scan(&moved); err != nil {
		t.Fatal(err)
	}
	if due != "2027-07-09T16:00:00Z" || moved != 1 {
		t.Errorf("lcspr_publication due %s, moved %d times; want 2027-07-09T16:00:00Z (Fri 9 Jul, 17:00 BST), once", due, moved)
	}
}
