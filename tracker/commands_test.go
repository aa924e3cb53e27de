package tracker

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name, in string
		serv     string
		want     []string // method=result prop=value ...
	}{
		{"exchange online", `mx.lewisham.gov.uk; spf=pass (sender IP is 192.0.2.1)
 smtp.mailfrom=lewisham.gov.uk; dkim=pass (signature was verified)
 header.d=lewisham.gov.uk;dmarc=pass action=none header.from=lewisham.gov.uk;compauth=pass reason=100`,
			"mx.lewisham.gov.uk", []string{"spf=pass smtp.mailfrom=lewisham.gov.uk", "dkim=pass header.d=lewisham.gov.uk", "dmarc=pass header.from=lewisham.gov.uk", "compauth=pass"}},
		{"version and quoted", `example.org 1; dkim/1=pass header.d="lewisham.gov.uk" header.s=sel (comment (nested) here)`,
			"example.org", []string{"dkim=pass header.d=lewisham.gov.uk header.s=sel"}},
		{"none", `mx.example.org; none`, "mx.example.org", nil},
		{"spaces around equals", `mx.example.org; dkim = fail header.d = evil.example`, "mx.example.org", []string{"dkim=fail header.d=evil.example"}},
		{"semicolon in a comment", `mx.example.org; dkim=pass (a; b) header.d=x.example`, "mx.example.org", []string{"dkim=pass header.d=x.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ar, err := ParseAuthResults(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if ar.ServID != tc.serv {
				t.Errorf("ServID = %q, want %q", ar.ServID, tc.serv)
			}
			var got []string
			for _, r := range ar.Results {
				s := r.Method + "=" + r.Result
				for _, k := range []string{"smtp.mailfrom", "header.d", "header.s", "header.from"} {
					if v, ok := r.Props[k]; ok {
						s += " " + k + "=" + v
					}
				}
				got = append(got, s)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("ParseAuthResults = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := ParseAuthResults("  "); err == nil {
		t.Errorf("ParseAuthResults(blank) = nil error")
	}
}

func meetingSet(t *testing.T, tr *Tracker) bool {
	t.Helper()
	var n int
	tr.DB().QueryRow(`SELECT count(*) FROM meetings WHERE status = 'set'`).Scan(&n)
	return n > 0
}

func TestStaffCommandAuthentication(t *testing.T) {
	tests := []struct {
		name      string
		from      string
		authRes   []string
		tamper    bool // a made-up token in In-Reply-To
		obeyed    bool
		replyToMe bool
	}{
		{"spoofed From, nothing else", "strategic.lead@lewisham.gov.uk", nil, false, false, true},
		{"untrusted server id", "strategic.lead@lewisham.gov.uk", []string{"mx.evil.example; dkim=pass header.d=lewisham.gov.uk; dmarc=pass header.from=lewisham.gov.uk"}, false, false, true},
		{"trusted server, dkim fail", "strategic.lead@lewisham.gov.uk", []string{"mx.lewisham.gov.uk; dkim=fail header.d=lewisham.gov.uk; dmarc=fail header.from=lewisham.gov.uk"}, false, false, true},
		{"trusted server, pass for another domain", "strategic.lead@lewisham.gov.uk", []string{"mx.lewisham.gov.uk; dkim=pass header.d=evil.example; dmarc=pass header.from=evil.example"}, false, false, true},
		{"forged pass below the real one", "strategic.lead@lewisham.gov.uk", []string{"mx.lewisham.gov.uk; dkim=none", "mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk"}, false, false, true},
		{"tampered token", "strategic.lead@lewisham.gov.uk", nil, true, false, true},
		{"dkim pass, trusted", "Lead <strategic.lead@lewisham.gov.uk>", []string{"mx.lewisham.gov.uk; spf=pass smtp.mailfrom=lewisham.gov.uk; dkim=pass (2048-bit key) header.d=lewisham.gov.uk header.s=selector1"}, false, true, true},
		{"dmarc pass, trusted", "strategic.lead@lewisham.gov.uk", []string{"MX.Lewisham.gov.uk; dmarc=pass (p=reject) header.from=lewisham.gov.uk"}, false, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := &testClock{}
			tr := newRRTracker(t, clock, nil)
			openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
			clock.Set("2026-12-08T10:00:00Z")
			in := staffMail(clock, "cmd@x.example", "", "[LSCP-2026-001] commands", "Meeting: 2026-12-16 10:00\nWaive: Met Police")
			in.From, in.AuthResults = tc.from, tc.authRes
			if tc.tamper {
				real := firstID(t, tr, TmplStaffNewReferral)
				in.InReplyTo = real[:strings.LastIndexByte(real, '.')] + ".00112233445566778899@lewisham.gov.uk"
				in.Subject = "RE: new referral"
			}
			before := len(outboxEmails(t, tr, TmplCommandReply))
			deliver(t, tr, in)
			if got := meetingSet(t, tr); got != tc.obeyed {
				t.Errorf("meeting set = %v, want %v", got, tc.obeyed)
			}
			d, _ := tr.Case(ctx, "LSCP-2026-001")
			for _, r := range d.Returns {
				if r.Agency == "Metropolitan Police Service" && (r.Status == "waived") != tc.obeyed {
					t.Errorf("police return %s; obeyed = %v", r.Status, tc.obeyed)
				}
			}
			replies := outboxEmails(t, tr, TmplCommandReply)[before:]
			if tc.tamper {
				// A token that does not verify ties the message to nothing: recorded for triage, staff told.
				if len(replies) != 0 {
					t.Errorf("a message with a tampered token was answered as a command: %+v", replies)
				}
				return
			}
			if len(replies) != 1 || replies[0].To != "strategic.lead@lewisham.gov.uk" {
				t.Fatalf("command replies = %+v, want one to the staff address", replies)
			}
			text := replies[0].Email.Text
			if tc.obeyed && !strings.Contains(text, "done") || !tc.obeyed && !strings.Contains(text, "waiting for your confirmation") {
				t.Errorf("reply = %q", text)
			}
			if strings.Contains(text, "trusted_authserv_id") || strings.Contains(text, "mail.") {
				t.Errorf("the reply to staff names a configuration key: %q", text)
			}
			var unconfirmed bool
			for _, a := range d.Audit {
				unconfirmed = unconfirmed || a.Event == "command_unconfirmed"
			}
			if unconfirmed == tc.obeyed {
				t.Errorf("command_unconfirmed audited = %v, want %v", unconfirmed, !tc.obeyed)
			}
			if tc.obeyed {
				return
			}
			// Issue 9.5: never a dead end. The staff member confirms by replying to
			// csprbot's answer (which went to the staff address, with its token).
			confirm := staffMail(clock, "confirm@lewisham.gov.uk", replies[0].MessageID, "RE: commands", "Confirm\n\n> quoted")
			deliver(t, tr, confirm)
			if !meetingSet(t, tr) {
				t.Errorf("after Confirm, the meeting is not set")
			}
			d, _ = tr.Case(ctx, "LSCP-2026-001")
			for _, r := range d.Returns {
				if r.Agency == "Metropolitan Police Service" && r.Status != "waived" {
					t.Errorf("after Confirm, police return %s, want waived", r.Status)
				}
			}
			// Confirming twice does nothing more.
			again := staffMail(clock, "confirm2@lewisham.gov.uk", replies[0].MessageID, "RE: commands", "Confirm")
			deliver(t, tr, again)
			last := outboxEmails(t, tr, TmplCommandReply)
			if txt := last[len(last)-1].Email.Text; !strings.Contains(txt, "nothing waiting for your confirmation") {
				t.Errorf("a second Confirm answered %q", txt)
			}
		})
	}
}

func TestExtendStopsChasersUntilNewDate(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z") // returns due Tue 15 Dec 17:00
	clock.Set("2026-12-11T10:00:00Z")
	res := deliver(t, tr, staffMail(clock, "e1@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: x",
		"Extend: Lewisham Children's Social Care to 2026-12-18\nWaive: Met Police\nExtend: Nobody to 2026-12-18"))
	if res.Disposition != "command" {
		t.Fatalf("Extend = %+v", res)
	}
	reply := outboxEmails(t, tr, TmplCommandReply)[0].Email.Text
	if !strings.Contains(reply, "extended to 17:00 Fri 18 Dec 2026") || !strings.Contains(reply, `"Extend: Nobody to 2026-12-18" refused`) {
		t.Errorf("reply = %q", reply)
	}
	to := func(kind string) map[string]int {
		m := map[string]int{}
		for _, o := range outboxEmails(t, tr, kind) {
			m[o.To]++
		}
		return m
	}
	for _, at := range []string{"2026-12-14T09:00:00Z", "2026-12-16T09:00:00Z"} {
		clock.Set(at)
		if _, err := tr.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if r, c := to(TmplReminder), to(TmplChaser); r["csc@lewisham.gov.uk"]+c["csc@lewisham.gov.uk"] != 0 || r["lead@met.example"]+c["lead@met.example"] != 0 {
		t.Errorf("reminders %v, chasers %v: want none to the extended or waived agency", r, c)
	}
	if c := to(TmplChaser); c["icb@icb.example"] != 1 {
		t.Errorf("chasers %v: want one to the ICB, still awaited", c)
	}
	clock.Set("2026-12-17T09:00:00Z") // the working day before the new date: a reminder
	tr.Tick(ctx)
	clock.Set("2026-12-18T09:00:00Z") // due today: nothing yet
	tr.Tick(ctx)
	if r, c := to(TmplReminder), to(TmplChaser); r["csc@lewisham.gov.uk"] != 1 || c["csc@lewisham.gov.uk"] != 0 {
		t.Errorf("by Fri 18th: reminders %v, chasers %v; want one reminder to CSC, no chaser", r, c)
	}
	clock.Set("2026-12-21T09:00:00Z")
	tr.Tick(ctx)
	if c := to(TmplChaser); c["csc@lewisham.gov.uk"] != 1 || c["lead@met.example"] != 0 {
		t.Errorf("Mon 21st: chasers %v; want the first to CSC, none to the police", c)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	if due, _ := deadlineDue(t, d, "scoping_return", "Lewisham Children's Social Care"); !due.Equal(mustTime("2026-12-18T17:00:00Z")) {
		t.Errorf("extended deadline due %s", due)
	}
	if _, st := deadlineDue(t, d, "scoping_return", "Metropolitan Police Service"); st != "waived" {
		t.Errorf("waived deadline %s", st)
	}
}

func TestCommandLinesAndParsing(t *testing.T) {
	got := commandLines("\n Approve \nMeeting: 2027-01-05 10:00\n\nKind regards\n> quoted")
	if strings.Join(got, "|") != "Approve|Meeting: 2027-01-05 10:00" {
		t.Errorf("commandLines = %q", got)
	}
	for _, tc := range []struct{ line, verb, arg string }{
		{"Notified  OFSTED: 2026-12-15", "notified ofsted", "2026-12-15"},
		{"cancel meeting", "cancel meeting", ""},
		{"Add agency: Met Police", "add agency", "Met Police"},
	} {
		v, a, ok := splitCommand(tc.line)
		if !ok || v != tc.verb || a != tc.arg {
			t.Errorf("splitCommand(%q) = %q, %q, %v", tc.line, v, a, ok)
		}
	}
	if _, _, ok := splitCommand("Hello: there"); ok {
		t.Errorf("splitCommand(Hello) is a command")
	}
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	loc := tr.cal.Location()
	for in, want := range map[string]string{"2027-01-05 10:00": "2027-01-05T10:00:00Z", "2026-07-01 10:00": "2026-07-01T09:00:00Z", "05/01/2027 10:00": "2027-01-05T10:00:00Z"} {
		if got, err := ParseLondonTime(in, loc); err != nil || !got.Equal(mustTime(want)) {
			t.Errorf("ParseLondonTime(%q) = %s, %v; want %s", in, got.UTC(), err, want)
		}
	}
	if _, err := ParseLondonTime("next Tuesday", loc); err == nil {
		t.Errorf("ParseLondonTime(next Tuesday) = nil error")
	}
}

// "Clear address: ADDR" by staff email, a reply carrying csprbot's token, lifts the mark
// and releases what was held for it (issue 9.7).
func TestClearAddressByStaffEmail(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		return markAddress(ctx, tx, clock.Now(), "lead@met.example", "rejected", "550 5.1.1 unknown")
	}); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-08T10:00:00Z")
	in := staffMail(clock, "clear@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: new referral", "Clear address: lead@met.example")
	deliver(t, tr, in)
	var n int
	tr.DB().QueryRow(`SELECT count(*) FROM address_status WHERE address = 'lead@met.example' AND status != ''`).Scan(&n)
	if n != 0 {
		t.Errorf("the address is still marked after Clear address")
	}
	replies := outboxEmails(t, tr, TmplCommandReply)
	if len(replies) == 0 || !strings.Contains(replies[len(replies)-1].Email.Text, "done") {
		t.Errorf("Clear address was not answered as done: %+v", replies)
	}
}
