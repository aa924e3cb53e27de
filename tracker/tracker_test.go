package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testRenderer renders every template as its name and the fields a test checks, with
// the subject built from the subject-safe data only, as templates/ does.
type testRenderer struct{}

func (testRenderer) Render(name string, d *MailData) (Rendered, error) {
	r := Rendered{
		Subject: fmt.Sprintf("[%s] %s", d.Case.Ref, name),
		Text:    fmt.Sprintf("%s\nagency=%s due=%s chaser=%d reason=%s\n", name, d.Agency.Name, d.Due.Format(time.RFC3339), d.Chaser, d.Reason),
	}
	for _, f := range d.Case.Summary {
		r.Text += f.Label + ": " + f.Value + "\n"
	}
	return r, nil
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(s string)   { c.mu.Lock(); c.t = mustTime(s); c.mu.Unlock() }
func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func testConfig() Config {
	return Config{
		Partnership: Partnership{Name: "Lewisham Safeguarding Children Partnership", Email: "safeguardingpartnership@lewisham.gov.uk"},
		From:        "safeguardingpartnership@lewisham.gov.uk",
		Staff:       []Person{{Name: "Lead", Email: "strategic.lead@lewisham.gov.uk"}},
		Agencies: []DirectoryAgency{
			{Name: "Lewisham Children's Social Care", Email: "csc@lewisham.gov.uk", Partner: "local_authority"},
			{Name: "Metropolitan Police Service", Email: "lead@met.example", Partner: "police", StrategicLead: "super@met.example", Aliases: []string{"Met Police"}},
			{Name: "NHS South East London ICB", Email: "icb@icb.example", Partner: "health"},
			{Name: "Lewisham and Greenwich NHS Trust", Email: "safeguarding@lgt.example"},
		},
		Addresses: Addresses{Subgroup: "lfp@lewisham.gov.uk"},
	}
}

func newTestTracker(t *testing.T, clock *testClock) *Tracker {
	t.Helper()
	return newTrackerWith(t, clock, testConfig(), testRenderer{})
}

// newTrackerWith makes a tracker on a fresh SQLite file with the given configuration
// and renderer.
func newTrackerWith(t *testing.T, clock *testClock, cfg Config, r Renderer) *Tracker {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "csprbot.db"), clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cal, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(ctx, st, cfg, cal, r)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func referralIncoming(id string, uid uint32, at string) *Incoming {
	return &Incoming{
		Mailbox: "INBOX", UIDValidity: 1, UID: uid, ReceivedAt: mustTime(at),
		MessageID: id, From: "Dr Example <safeguarding@lgt.example>", Subject: "Referral",
		Attachments: []InAttachment{{
			Attachment: Attachment{Name: "referral.docx", Data: []byte("PK")},
			Form: &Form{Kind: FormReferral, Fields: map[string]string{
				"child_name": "Ellie Testcase", "incident_date": "2026-12-05", "incident_kind": "serious_harm",
				"looked_after": "no", "date_of_referral": "2026-12-07", "referrer_name": "Dr Sam Example",
				"referrer_agency": "Lewisham and Greenwich NHS Trust",
			}, Tables: map[string][]map[string]string{"agencies": {
				{"agency": "Met Police", "reason": "investigation"},
				{"agency": "Lewisham and Greenwich NHS Trust", "email": "safeguarding@lgt.example"},
				{"agency": "Brockley Primary School", "email": "head@brockley.example"},
			}}},
		}},
	}
}

func outbox(t *testing.T, tr *Tracker) []OutboxEntry {
	t.Helper()
	o, err := tr.Outbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func deadlineDue(t *testing.T, d *CaseDetail, rule, agency string) (time.Time, string) {
	t.Helper()
	for _, dl := range d.Deadlines {
		if dl.Rule == rule && dl.Agency == agency {
			return dl.Due, dl.Status
		}
	}
	t.Fatalf("case %s has no deadline %s/%s: %+v", d.Ref, rule, agency, d.Deadlines)
	return time.Time{}, ""
}

func TestReferralOpensCase(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)

	res, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if res.CaseRef != "LSCP-2026-001" || res.Disposition != DispReferral {
		t.Fatalf("Ingest = %+v, want case LSCP-2026-001 opened", res)
	}
	d, err := tr.Case(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	if d.ChildInitials != "ET" || d.Stage != StageReferral || d.IncidentKind != "serious_harm" || d.IncidentDate != "2026-12-05" {
		t.Errorf("case = %+v", d.CaseSummary)
	}
	// Monday 7 Dec 2026: WD2 = Wed 9th; WD5 = Mon 14th; rr window WD7–13 = Wed 16th .. Fri 25th is a holiday...
	if due, _ := deadlineDue(t, d, "scoping_sent", ""); !due.Equal(mustTime("2026-12-09T17:00:00Z")) {
		t.Errorf("scoping_sent due %s, want 2026-12-09T17:00:00Z", due)
	}
	if due, _ := deadlineDue(t, d, "panel_notification", ""); !due.Equal(mustTime("2026-12-14T17:00:00Z")) {
		t.Errorf("panel_notification due %s, want 2026-12-14T17:00:00Z", due)
	}
	// WD13 from Mon 7 Dec: 8,9,10,11,14,15,16,17,18,21,22,23,24 → Thu 24 Dec.
	if due, _ := deadlineDue(t, d, "rr_meeting", ""); !due.Equal(mustTime("2026-12-24T17:00:00Z")) {
		t.Errorf("rr_meeting due %s, want 2026-12-24T17:00:00Z", due)
	}
	// 15 WD from aware (= referral until recorded): ... 24 Dec (13), 29 Dec (14), 30 Dec (15).
	if due, _ := deadlineDue(t, d, "rr_submission", ""); !due.Equal(mustTime("2026-12-30T17:00:00Z")) {
		t.Errorf("rr_submission due %s, want 2026-12-30T17:00:00Z", due)
	}
	for _, dl := range d.Deadlines {
		if dl.Rule == "ofsted_sos_notification" {
			t.Errorf("ofsted_sos_notification set for a child who is not looked after and did not die")
		}
	}
	names := map[string]bool{}
	for _, a := range d.Agencies {
		names[a.Name] = true
	}
	for _, want := range []string{"Lewisham Children's Social Care", "Metropolitan Police Service", "NHS South East London ICB", "Lewisham and Greenwich NHS Trust", "Brockley Primary School"} {
		if !names[want] {
			t.Errorf("agencies %v lack %q", names, want)
		}
	}
	ob := outbox(t, tr)
	kinds := map[string]string{}
	for _, o := range ob {
		kinds[o.Kind] = o.To + " " + o.Status
		if strings.Contains(o.Subject, "Ellie") || strings.Contains(o.Subject, "Testcase") {
			t.Errorf("subject %q carries the child's name", o.Subject)
		}
	}
	if kinds[TmplAckReferrer] != "safeguarding@lgt.example queued" {
		t.Errorf("ack = %q, want queued to the referrer", kinds[TmplAckReferrer])
	}
	if kinds[TmplStaffNewReferral] != "strategic.lead@lewisham.gov.uk queued" {
		t.Errorf("staff notice = %q", kinds[TmplStaffNewReferral])
	}

	// The same message again (a restart before the \Seen flag): nothing new.
	res, err = tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z"))
	if err != nil || !res.Duplicate {
		t.Fatalf("second Ingest = %+v, %v; want duplicate", res, err)
	}
	if n := len(outbox(t, tr)); n != len(ob) {
		t.Errorf("duplicate queued mail: outbox %d, was %d", n, len(ob))
	}
	cs, _ := tr.Cases(ctx)
	if len(cs) != 1 {
		t.Errorf("cases = %d, want 1", len(cs))
	}
	if v, u, _ := tr.Cursor(ctx, "INBOX"); v != 1 || u != 1 {
		t.Errorf("cursor = %d/%d, want 1/1", v, u)
	}
}

func TestLookedAfterDeathAddsOfstedDeadline(t *testing.T) {
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	in := referralIncoming("r2@example.org", 1, "2026-12-07T10:15:00Z")
	in.Attachments[0].Form.Fields["looked_after"] = "yes"
	in.Attachments[0].Form.Fields["incident_kind"] = "death"
	if _, err := tr.Ingest(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	d, _ := tr.Case(context.Background(), "LSCP-2026-001")
	if due, _ := deadlineDue(t, d, "ofsted_sos_notification", ""); !due.Equal(mustTime("2026-12-14T17:00:00Z")) {
		t.Errorf("ofsted_sos_notification due %s", due)
	}
}

func TestUnreadableReferralStillOpensCase(t *testing.T) {
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	in := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 1, ReceivedAt: clock.Now(), MessageID: "r3@example.org",
		From: "someone@lgt.example", Subject: "Urgent",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "referral.docx"}, ParseError: "document is password-protected"}}}
	res, err := tr.Ingest(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Disposition != DispNeedsInput || res.CaseRef == "" {
		t.Fatalf("Ingest = %+v, want a case marked for completion", res)
	}
	d, _ := tr.Case(context.Background(), res.CaseRef)
	if !d.NeedsCompletion {
		t.Errorf("case not marked needs_completion")
	}
}

func TestUnknownSenderIsTriagedNotAttached(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
	form := &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes"}}
	// Quoting the reference from an address the directory does not know: not attached.
	forged := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(), MessageID: "f1@evil.example",
		From: "lead@met.example.evil.example", Subject: "RE: [LSCP-2026-001] scoping",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "x.docx"}, Form: form}}}
	res, err := tr.Ingest(ctx, forged)
	if err != nil {
		t.Fatal(err)
	}
	if res.Disposition != DispTriage || res.CaseRef != "" {
		t.Errorf("forged reply = %+v, want triage with no case", res)
	}
	// A made-up Message-ID in the shape of ours: the token does not verify.
	var realID string
	for _, o := range outbox(t, tr) {
		if o.Kind == TmplScopingRequest && o.Agency == "Metropolitan Police Service" {
			realID = o.MessageID
		}
	}
	tampered := realID[:strings.LastIndexByte(realID, '.')] + ".00000000000000000000@lewisham.gov.uk"
	guess := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 3, ReceivedAt: clock.Now(), MessageID: "f2@evil.example",
		From: "someone@evil.example", Subject: "RE: scoping", InReplyTo: tampered,
		Attachments: []InAttachment{{Attachment: Attachment{Name: "x.docx"}, Form: form}}}
	if res, err = tr.Ingest(ctx, guess); err != nil || res.CaseRef != "" {
		t.Errorf("tampered token = %+v, %v; want no case", res, err)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	for _, r := range d.Returns {
		if r.Status != "awaiting" {
			t.Errorf("return %s = %s after forged mail, want awaiting", r.Agency, r.Status)
		}
	}
}

func TestScopingRepliesChasersAndEscalation(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-07T11:00:00Z")
	res, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Requested, "|"); got != "Lewisham Children's Social Care|Metropolitan Police Service|NHS South East London ICB|Lewisham and Greenwich NHS Trust" {
		t.Errorf("requested %q", got)
	}
	if len(res.Unknown) != 1 || res.Unknown[0] != "Brockley Primary School" {
		t.Errorf("unknown = %v, want the school the directory lacks", res.Unknown)
	}
	// Mon 7 Dec + 6 WD = Tue 15 Dec 17:00.
	if !res.Due.Equal(mustTime("2026-12-15T17:00:00Z")) {
		t.Errorf("due %s, want 2026-12-15T17:00:00Z", res.Due)
	}
	again, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test")
	if err != nil || len(again.Requested) != 0 || len(again.Already) != 4 {
		t.Errorf("second StartScoping = %+v, %v; want nothing new", again, err)
	}
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", []string{"Nobody Agency"}, "test"); err == nil {
		t.Errorf("StartScoping with an agency not in the directory succeeded")
	}
	ids := map[string]string{}
	for _, o := range outbox(t, tr) {
		if o.Kind == TmplScopingRequest {
			ids[o.Agency] = o.MessageID
		}
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	if _, st := deadlineDue(t, d, "scoping_sent", ""); st != "met" {
		t.Errorf("scoping_sent status %s, want met", st)
	}

	// Police return the form, replying to their request.
	clock.Set("2026-12-09T14:30:00Z")
	r, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(), MessageID: "p1@met.example",
		From: "lead@met.example", Subject: "RE: request", InReplyTo: ids["Metropolitan Police Service"],
		Attachments: []InAttachment{{Attachment: Attachment{Name: "return.docx"}, Form: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes", "family_known": "yes"}}}}})
	if err != nil || r.Disposition != DispReturn || r.Agency != "Metropolitan Police Service" {
		t.Fatalf("police return = %+v, %v", r, err)
	}
	// Children's Social Care's out-of-office: recorded, not counted, not answered.
	before := len(outbox(t, tr))
	r, err = tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 3, ReceivedAt: clock.Now(), MessageID: "ooo@lewisham.gov.uk",
		From: "csc@lewisham.gov.uk", Subject: "Automatic reply: request", InReplyTo: ids["Lewisham Children's Social Care"],
		Auto: "auto_reply", AwayUntil: "14 December"})
	if err != nil || r.Disposition != DispAuto {
		t.Fatalf("out-of-office = %+v, %v", r, err)
	}
	if n := len(outbox(t, tr)); n != before {
		t.Errorf("out-of-office was answered: outbox %d, was %d", n, before)
	}
	// The ICB's nil return in the body.
	r, err = tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 4, ReceivedAt: clock.Now(), MessageID: "icb1@icb.example",
		From: "icb@icb.example", Subject: "RE: request", References: []string{"other@x", ids["NHS South East London ICB"]},
		BodyForm: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "no", "family_known": "no"}}})
	if err != nil || r.Disposition != DispReturn {
		t.Fatalf("nil return = %+v, %v", r, err)
	}
	d, _ = tr.Case(ctx, "LSCP-2026-001")
	status := map[string]Return{}
	for _, x := range d.Returns {
		status[x.Agency] = x
	}
	if status["Metropolitan Police Service"].Status != "received" || status["NHS South East London ICB"].Status != "nil_return" ||
		status["Lewisham Children's Social Care"].Status != "awaiting" || !strings.Contains(status["Lewisham Children's Social Care"].Note, "14 December") {
		t.Errorf("returns = %+v", status)
	}
	if _, st := deadlineDue(t, d, "scoping_return", "Metropolitan Police Service"); st != "met" {
		t.Errorf("police scoping_return %s, want met", st)
	}

	chased := func() map[string][]string {
		m := map[string][]string{}
		for _, o := range outbox(t, tr) {
			if o.Kind == TmplReminder || o.Kind == TmplChaser || o.Kind == TmplEscalation {
				m[o.Kind] = append(m[o.Kind], o.To)
			}
		}
		return m
	}
	// Before 09:00 on the day before: nothing. At 09:00 Mon 14th: reminders to the two still awaited.
	clock.Set("2026-12-14T08:59:00Z")
	if res, _ := tr.Tick(ctx); res != (TickResult{}) {
		t.Errorf("Tick before the chase hour = %+v", res)
	}
	clock.Set("2026-12-14T09:00:00Z")
	if res, err := tr.Tick(ctx); err != nil || res.Reminders != 2 {
		t.Errorf("Tick = %+v, %v; want 2 reminders", res, err)
	}
	if res, _ := tr.Tick(ctx); res != (TickResult{}) {
		t.Errorf("second Tick at the same moment = %+v, want nothing", res)
	}
	// Wed 16th: first chasers; same day again: nothing.
	clock.Set("2026-12-16T09:00:00Z")
	if res, _ := tr.Tick(ctx); res.Chasers != 2 {
		t.Errorf("Tick on 16th = %+v, want 2 chasers", res)
	}
	clock.Set("2026-12-16T15:00:00Z")
	if res, _ := tr.Tick(ctx); res != (TickResult{}) {
		t.Errorf("second Tick on the 16th = %+v, want nothing", res)
	}
	// Sat 19th: not a working day.
	clock.Set("2026-12-19T10:00:00Z")
	if res, _ := tr.Tick(ctx); res != (TickResult{}) {
		t.Errorf("Tick on a Saturday = %+v", res)
	}
	clock.Set("2026-12-17T09:00:00Z")
	if res, _ := tr.Tick(ctx); res.Chasers != 2 {
		t.Errorf("Tick on 17th = %+v, want 2 second chasers", res)
	}
	clock.Set("2026-12-17T16:00:00Z")
	if res, _ := tr.Tick(ctx); res != (TickResult{}) {
		t.Errorf("Tick later on the day of the second chaser = %+v, want no escalation yet", res)
	}
	clock.Set("2026-12-18T09:00:00Z")
	if res, _ := tr.Tick(ctx); res.Escalations != 2 {
		t.Errorf("Tick on 18th = %+v, want 2 escalations", res)
	}
	c := chased()
	if len(c[TmplReminder]) != 2 || len(c[TmplChaser]) != 4 || len(c[TmplEscalation]) != 1 {
		t.Errorf("automatic mail = %v", c)
	}
	for _, to := range c[TmplChaser] {
		if strings.Contains(to, "met.example") || strings.Contains(to, "icb.example") {
			t.Errorf("chaser to an agency whose return is in: %s", to)
		}
	}
	d, _ = tr.Case(ctx, "LSCP-2026-001")
	for _, x := range d.Returns {
		if x.Agency == "Metropolitan Police Service" && x.ChasersSent != 0 || x.Agency == "Lewisham Children's Social Care" && (x.ChasersSent != 2 || x.Status != "escalated") {
			t.Errorf("return %+v", x)
		}
	}
}

func TestMailToUnknownDomainIsHeld(t *testing.T) {
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	in := referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")
	in.From = "gp@surgery.example"
	if _, err := tr.Ingest(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	for _, o := range outbox(t, tr) {
		if o.Kind == TmplAckReferrer && o.Status != "held" {
			t.Errorf("ack to an address outside the configuration = %s, want held", o.Status)
		}
	}
}

func TestStoreMigratesAndAuditIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db.sqlite")
	now := func() time.Time { return mustTime("2026-12-07T10:00:00Z") }
	st, err := Open(ctx, path, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	var v int
	st.DB().QueryRow(`PRAGMA user_version`).Scan(&v)
	if v < 1 {
		t.Errorf("user_version = %d", v)
	}
	if _, err := st.DB().Exec(`INSERT INTO audit(at, actor, event) VALUES ('x', 'y', 'z')`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE audit SET actor = 'q'`); err == nil {
		t.Errorf("audit row updated")
	}
	if _, err := st.DB().Exec(`DELETE FROM audit`); err == nil {
		t.Errorf("audit row deleted")
	}
	st.Close()
	st, err = Open(ctx, path, now, nil) // reopening applies nothing twice
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

type failingRenderer struct{}

func (failingRenderer) Render(string, *MailData) (Rendered, error) {
	return Rendered{}, fmt.Errorf("template broken")
}

func TestBadMessageNeverBlocksTheMailbox(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTrackerWith(t, clock, testConfig(), failingRenderer{})
	st := tr.Store
	res, err := tr.Ingest(ctx, referralIncoming("bad@example.org", 7, "2026-12-07T10:15:00Z"))
	if err != nil || res.Disposition != DispFailed {
		t.Fatalf("Ingest = %+v, %v; want recorded as failed", res, err)
	}
	if _, u, _ := tr.Cursor(ctx, "INBOX"); u != 7 {
		t.Errorf("cursor last UID = %d, want 7 (past the bad message)", u)
	}
	var disp, note string
	st.DB().QueryRow(`SELECT disposition, note FROM messages WHERE message_id = 'bad@example.org'`).Scan(&disp, &note)
	if disp != DispFailed || !strings.Contains(note, "template broken") {
		t.Errorf("message recorded as %q / %q", disp, note)
	}
	var cases int
	st.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&cases)
	if cases != 0 {
		t.Errorf("a half-made case was left behind: %d", cases)
	}
}

func TestBounceMarksAddressAndHoldsLaterMail(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
	var req string
	for _, o := range outbox(t, tr) {
		if o.Kind == TmplScopingRequest && o.Agency == "NHS South East London ICB" {
			req = o.MessageID
		}
	}
	before := len(outbox(t, tr))
	res, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(), MessageID: "dsn1@mx.example",
		From: "MAILER-DAEMON@mx.example", Subject: "Undeliverable", Auto: "bounce", BounceOf: req,
		BounceRecipients: []string{"icb@icb.example"}, BounceDetail: "5.1.1 user unknown"})
	if err != nil || res.CaseRef != "LSCP-2026-001" {
		t.Fatalf("bounce = %+v, %v", res, err)
	}
	ob := outbox(t, tr)
	var toBouncer, toStaff int
	for _, o := range ob[before:] {
		if strings.Contains(o.To, "mx.example") {
			toBouncer++
		}
		if o.Kind == TmplStaffAttention {
			toStaff++
		}
	}
	if toBouncer != 0 || toStaff != 1 {
		t.Errorf("after a bounce: %d answers to the bouncer, %d staff notes; want 0 and 1", toBouncer, toStaff)
	}
	// A chaser to the bounced address is held, not sent.
	clock.Set("2026-12-16T09:00:00Z")
	if _, err := tr.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	for _, o := range outbox(t, tr) {
		if o.Kind == TmplChaser && o.To == "icb@icb.example" && o.Status != "held" {
			t.Errorf("chaser to a bounced address is %s, want held", o.Status)
		}
	}
	// A bounce quoting a Message-ID we never signed is only recorded.
	res, err = tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 3, ReceivedAt: clock.Now(), MessageID: "dsn2@mx.example",
		From: "postmaster@mx.example", Auto: "bounce", BounceOf: "LSCP-2026-001.0011223344556677.0000@lewisham.gov.uk",
		BounceRecipients: []string{"csc@lewisham.gov.uk"}})
	if err != nil || res.CaseRef != "" {
		t.Errorf("forged bounce = %+v, %v", res, err)
	}
}

func TestPurgeKeepsAuditDropsBodies(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	if n, _ := tr.Purge(ctx, 24*time.Hour); n != 0 {
		t.Errorf("purged %d messages of an open case", n)
	}
	tr.DB().Exec(`UPDATE cases SET stage = 'closed', closed_at = '2026-12-08T00:00:00Z'`)
	clock.Set("2027-12-09T00:00:00Z")
	n, err := tr.Purge(ctx, 365*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1", n, err)
	}
	var data []byte
	tr.DB().QueryRow(`SELECT data FROM attachments`).Scan(&data)
	if data != nil {
		t.Errorf("attachment data kept after purge")
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	var purged bool
	for _, a := range d.Audit {
		purged = purged || a.Event == "purged"
	}
	if !purged || len(d.Messages) == 0 {
		t.Errorf("audit or message record lost in purge: %d audit, %d messages", len(d.Audit), len(d.Messages))
	}
}

// A full disk is an outage, not a bad message: the message is not recorded as failed
// (the mailbox keeps it unmarked) and goes through once there is room again.
func TestDiskFullDelaysIntake(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	db := tr.DB()
	db.SetMaxOpenConns(1) // the page limit below is per connection
	var pages int
	if err := db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2)); err != nil {
		t.Fatal(err)
	}
	in := referralIncoming("big@example.org", 5, "2026-12-07T10:15:00Z")
	in.Raw = make([]byte, 1<<20) // more than two pages
	if _, err := tr.Ingest(ctx, in); err == nil {
		t.Fatalf("Ingest on a full disk succeeded")
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n)
	if _, u, _ := tr.Cursor(ctx, "INBOX"); n != 0 || u != 0 {
		t.Fatalf("after a full disk: %d messages recorded, cursor %d; want nothing (the message stays in the mailbox)", n, u)
	}
	if _, err := db.Exec(`PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	res, err := tr.Ingest(ctx, in)
	if err != nil || res.Disposition != DispReferral {
		t.Fatalf("Ingest once there is room = %+v, %v", res, err)
	}
}

func TestChasingPolicyIsConfiguration(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	cfg := testConfig()
	cfg.ReminderDays, cfg.Chasers = -1, 1 // no reminders; one chaser, then escalation
	tr := newTrackerWith(t, clock, cfg, testRenderer{})
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   string
		want TickResult
	}{
		{"2026-12-14T09:00:00Z", TickResult{}},               // the day before: no reminder
		{"2026-12-16T09:00:00Z", TickResult{Chasers: 4}},     // one chaser each
		{"2026-12-17T09:00:00Z", TickResult{Escalations: 4}}, // then straight to the subgroup
	} {
		clock.Set(tc.at)
		if got, err := tr.Tick(ctx); err != nil || got != tc.want {
			t.Errorf("Tick at %s = %+v, %v; want %+v", tc.at, got, err, tc.want)
		}
	}
}

func TestTextFromStrangerSayingReferralIsTriaged(t *testing.T) {
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	res, err := tr.Ingest(context.Background(), &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 1, ReceivedAt: clock.Now(),
		MessageID: "spam@x.example", From: "anyone@x.example", Subject: "URGENT referral", Text: "click here"})
	if err != nil || res.Disposition != DispTriage || res.CaseRef != "" {
		t.Errorf("Ingest = %+v, %v; want triage, no case", res, err)
	}
	// Words alone, even from a known agency, are not a referral (issue 9.6): a person
	// opens the case from the triage notice ("Open case") when it is one.
	res, err = tr.Ingest(context.Background(), &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(),
		MessageID: "met1@met.example", From: "lead@met.example", Subject: "Referral: form to follow", Text: "Please treat this as a referral."})
	if err != nil || res.Disposition != DispTriage || res.CaseRef != "" {
		t.Errorf("Ingest of words alone from a known agency = %+v, %v; want triage", res, err)
	}
}

// A plain-text bounce from a mailer-daemon that quotes our Message-ID (no RFC 3464
// report) is handled as a bounce too.
func TestPlainMailerDaemonBounceMarksAddress(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
	var req string
	for _, o := range outbox(t, tr) {
		if o.Kind == TmplScopingRequest && o.Agency == "Lewisham and Greenwich NHS Trust" {
			req = o.MessageID
		}
	}
	if _, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(), MessageID: "pb@mx.example",
		From: "MAILER-DAEMON@mx.example", Subject: "failure notice", Auto: "mailer_daemon", BounceOf: req}); err != nil {
		t.Fatal(err)
	}
	var status string
	tr.DB().QueryRow(`SELECT status FROM address_status WHERE address = 'safeguarding@lgt.example'`).Scan(&status)
	if status != "bounced" {
		t.Errorf("address status %q, want bounced", status)
	}
}

// An extension starts the chasing afresh: no mail until the day before the new date,
// then a reminder, then chasers counted from one again.
func TestExtensionRestartsChasing(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
	const police = "Metropolitan Police Service"
	for _, at := range []string{"2026-12-14T09:00:00Z", "2026-12-16T09:00:00Z", "2026-12-17T09:00:00Z"} {
		clock.Set(at)
		if _, err := tr.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set("2026-12-17T12:00:00Z")
	if _, err := tr.Extend(ctx, "LSCP-2026-001", police, mustTime("2026-12-23T12:00:00Z"), "test"); err != nil {
		t.Fatal(err)
	}
	count := func(kind string) int {
		n := 0
		for _, o := range outbox(t, tr) {
			if o.Kind == kind && o.Agency == police {
				n++
			}
		}
		return n
	}
	reminders, chasers := count(TmplReminder), count(TmplChaser)
	for _, tc := range []struct {
		at                 string
		reminders, chasers int
	}{
		{"2026-12-18T09:00:00Z", 0, 0}, // before the new date: quiet
		{"2026-12-21T09:00:00Z", 0, 0},
		{"2026-12-22T09:00:00Z", 1, 0}, // the working day before 23 Dec: a fresh reminder
		{"2026-12-24T09:00:00Z", 1, 1}, // overdue again: chaser 1
	} {
		clock.Set(tc.at)
		if _, err := tr.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if r, c := count(TmplReminder)-reminders, count(TmplChaser)-chasers; r != tc.reminders || c != tc.chasers {
			t.Errorf("at %s since the extension: %d reminders, %d chasers; want %d, %d", tc.at, r, c, tc.reminders, tc.chasers)
		}
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	for _, r := range d.Returns {
		if r.Agency == police && (r.ChasersSent != 1 || r.Status == "escalated") {
			t.Errorf("police return after the extension = %+v, want one chaser, not escalated", r)
		}
	}
}

// The [REF] subject tag ties mail to a case only from the directory's addresses: an
// address typed into the referral form for an agency the directory lacks is not enough.
func TestSubjectTagNeedsADirectoryAddress(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	// head@brockley.example was typed into the referral for a school the directory lacks.
	res, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(), MessageID: "s1@brockley.example",
		From: "head@brockley.example", Subject: "RE: [LSCP-2026-001] scoping", Text: "We know the child."})
	if err != nil || res.CaseRef != "" {
		t.Errorf("subject tag from a referral-typed address = %+v, %v; want no case (triage)", res, err)
	}
	res, err = tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 3, ReceivedAt: clock.Now(), MessageID: "m1@met.example",
		From: "lead@met.example", Subject: "RE: [LSCP-2026-001] scoping", Text: "Form to follow."})
	if err != nil || res.CaseRef != "LSCP-2026-001" || res.Agency != "Metropolitan Police Service" {
		t.Errorf("subject tag from the directory's address = %+v, %v; want tied to the police", res, err)
	}
}

// A store made by the first schema migrates forward with its data intact.
func TestMigratesAnOldStoreForward(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := migrations.ReadFile("migrations/001_init.sql")
	if _, err := db.Exec(string(first)); err != nil {
		t.Fatal(err)
	}
	db.Exec(`PRAGMA user_version = 1`)
	if _, err := db.Exec(`INSERT INTO cases(ref, year, seq, stage, referral_received, created_at) VALUES ('LSCP-2026-001', 2026, 1, 'scoping', '2026-12-07T10:15:00Z', '2026-12-07T10:15:00Z');
		INSERT INTO returns(case_id, agency, email, requested_at, due_at) VALUES (1, 'Metropolitan Police Service', 'lead@met.example', '2026-12-07T11:00:00Z', '2026-12-15T17:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := Open(ctx, path, func() time.Time { return mustTime("2026-12-08T09:00:00Z") }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var version int
	st.DB().QueryRow(`PRAGMA user_version`).Scan(&version)
	entries, _ := migrations.ReadDir("migrations")
	last := entries[len(entries)-1].Name()
	if want := strings.SplitN(last, "_", 2)[0]; fmt.Sprintf("%03d", version) != want {
		t.Errorf("user_version = %d after migrating, want %s (%s)", version, want, last)
	}
	d, err := st.Case(ctx, "LSCP-2026-001")
	if err != nil || len(d.Returns) != 1 {
		t.Fatalf("case after migrating = %+v, %v", d, err)
	}
	var dueSet string
	st.DB().QueryRow(`SELECT due_set_at FROM returns`).Scan(&dueSet)
	if dueSet != "2026-12-07T11:00:00Z" {
		t.Errorf("due_set_at backfilled as %q, want the request time", dueSet)
	}
}
