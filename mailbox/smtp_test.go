package mailbox

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox/devserver"
	"github.com/lewisham-lscp/csprbot/mailbox/mailtest"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

func startSink(t *testing.T) *devserver.SMTPSink {
	t.Helper()
	return mailtest.StartSink(t, t.TempDir())
}

func newSender(t *testing.T, sink *devserver.SMTPSink, timeout time.Duration) *SMTP {
	t.Helper()
	s, err := NewSMTP(SMTPConfig{Address: sink.Addr, TLS: "none", Timeout: timeout, HeloName: "csprbot.test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func outEmail() *cspr.OutEmail {
	return &cspr.OutEmail{
		MessageID:  "csprbot.1.ab12@lewisham.gov.uk",
		From:       "Lewisham Safeguarding Children Partnership <partnership@example.org>",
		To:         []string{"agency@example.org"},
		Cc:         []string{"manager@example.org"},
		Subject:    "CSPR scoping request – Ref 2025-07",
		Text:       "Please return the scoping form.",
		HTML:       "<p>Please return the scoping form.</p>",
		InReplyTo:  "referral.1@example.org",
		References: []string{"referral.0@example.org", "referral.1@example.org"},
		Headers:    map[string]string{"Auto-Submitted": "auto-generated", LoopHeader: "lewisham-lscp"},
		Attachments: []cspr.Attachment{
			{Name: "scoping form.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: []byte("PK\x03\x04docx")},
			{Name: "panel.ics", ContentType: "text/calendar; method=REQUEST", Data: []byte(testInvite)},
		},
		Date: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC),
	}
}

// testInvite is a small meeting request as RFC 5546 wants it.
const testInvite = "BEGIN:VCALENDAR\r\nPRODID:-//test//EN\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n" +
	"UID:rr.1@example.org\r\nSEQUENCE:0\r\nDTSTAMP:20250602T090000Z\r\nDTSTART:20250610T090000Z\r\nDTEND:20250610T100000Z\r\n" +
	"SUMMARY:Rapid Review\r\nORGANIZER:mailto:partnership@example.org\r\n" +
	"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:agency@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestSendDelivers(t *testing.T) {
	sink := startSink(t)
	s := newSender(t, sink, 5*time.Second)
	if err := s.Send(context.Background(), outEmail()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sink has %d messages, want 1", len(msgs))
	}
	r := msgs[0]
	want(t, "envelope from", r.From, "partnership@example.org")
	want(t, "envelope to", strings.Join(r.To, ","), "agency@example.org,manager@example.org")
	want(t, "sink MessageID", r.MessageID, "csprbot.1.ab12@lewisham.gov.uk")

	m, err := Decode(r.Data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want(t, "MessageID", m.MessageID, "csprbot.1.ab12@lewisham.gov.uk")
	want(t, "InReplyTo", m.InReplyTo, "referral.1@example.org")
	want(t, "References", strings.Join(m.References, " "), "referral.0@example.org referral.1@example.org")
	want(t, "Subject", m.Subject, "CSPR scoping request – Ref 2025-07")
	want(t, "Auto-Submitted", strings.Join(m.Header["Auto-Submitted"], ""), "auto-generated")
	want(t, "loop header", strings.Join(m.Header["X-Csprbot-Loop"], ""), "lewisham-lscp")
	want(t, "Auto", string(m.Auto), string(AutoLoop))
	want(t, "Text", strings.TrimSpace(m.Text), "Please return the scoping form.")
	want(t, "HTML", strings.TrimSpace(m.HTML), "<p>Please return the scoping form.</p>")
	if !m.Date.Equal(time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Date = %v", m.Date)
	}
	// The invitation is there twice: inline beside the text (text/calendar) and attached (application/ics).
	if len(m.Attachments) != 3 {
		t.Fatalf("attachments = %v, want 3", attNames(m))
	}
	want(t, "inline ics type", m.Attachments[0].ContentType, "text/calendar; method=REQUEST")
	want(t, "docx name", m.Attachments[1].Name, "scoping form.docx")
	want(t, "docx type", m.Attachments[1].ContentType, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	want(t, "docx data", string(m.Attachments[1].Data), "PK\x03\x04docx")
	want(t, "ics name", m.Attachments[2].Name, "panel.ics")
	want(t, "ics type", m.Attachments[2].ContentType, "application/ics")
	for _, a := range []cspr.Attachment{m.Attachments[0], m.Attachments[2]} {
		if !strings.Contains(string(a.Data), "METHOD:REQUEST") {
			t.Errorf("ics data = %q", a.Data)
		}
	}
}

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name          string
		setup         func(*devserver.SMTPSink)
		timeout       time.Duration
		permanent     bool
		rejected      []string
		delivered     int
		errorContains string
	}{
		{"4xx at data", func(s *devserver.SMTPSink) { s.Fail(451, "try later", 1) }, 5 * time.Second, false, nil, 0, "451"},
		{"5xx at data", func(s *devserver.SMTPSink) { s.Fail(554, "content rejected", 1) }, 5 * time.Second, true, nil, 0, "554"},
		{"rejected recipient", func(s *devserver.SMTPSink) { s.RejectRecipient("manager@example.org", 550) }, 5 * time.Second, true, []string{"manager@example.org"}, 0, "550"},
		{"temporarily refused recipient", func(s *devserver.SMTPSink) {
			s.RejectRecipient("manager@example.org", 550)
			s.RejectRecipient("agency@example.org", 450)
		}, 5 * time.Second, false, []string{"manager@example.org"}, 0, "450"},
		{"hang", func(s *devserver.SMTPSink) { s.Hang(3 * time.Second) }, 300 * time.Millisecond, false, nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := startSink(t)
			tt.setup(sink)
			s := newSender(t, sink, tt.timeout)
			start := time.Now()
			err := s.Send(context.Background(), outEmail())
			var se *cspr.SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send = %v, want a *cspr.SendError", err)
			}
			if se.Permanent != tt.permanent {
				t.Errorf("Permanent = %v, want %v (%v)", se.Permanent, tt.permanent, err)
			}
			if strings.Join(se.Rejected, ",") != strings.Join(tt.rejected, ",") {
				t.Errorf("Rejected = %v, want %v", se.Rejected, tt.rejected)
			}
			if !strings.Contains(err.Error(), tt.errorContains) {
				t.Errorf("error %q does not mention %q", err, tt.errorContains)
			}
			if n := len(sink.Messages()); n != tt.delivered {
				t.Errorf("delivered %d, want %d", n, tt.delivered)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Send took %v", d)
			}
		})
	}
	// After a temporary failure the next attempt goes through.
	sink := startSink(t)
	sink.Fail(421, "busy", 1)
	s := newSender(t, sink, 5*time.Second)
	if err := s.Send(context.Background(), outEmail()); err == nil {
		t.Fatal("first Send succeeded despite Fail")
	}
	if err := s.Send(context.Background(), outEmail()); err != nil {
		t.Fatalf("second Send: %v", err)
	}
}

func TestSendCancel(t *testing.T) {
	sink := startSink(t)
	sink.Hang(5 * time.Second)
	s := newSender(t, sink, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, outEmail())
	if err == nil || cspr.IsPermanent(err) {
		t.Fatalf("Send = %v, want a temporary failure", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send ignored the context for %v", d)
	}
}

func TestSendBadMessageIsPermanent(t *testing.T) {
	sink := startSink(t)
	s := newSender(t, sink, 5*time.Second)
	for name, mod := range map[string]func(*cspr.OutEmail){
		"bad from":      func(m *cspr.OutEmail) { m.From = "not an address" },
		"no recipients": func(m *cspr.OutEmail) { m.To, m.Cc = nil, nil },
		"bad header":    func(m *cspr.OutEmail) { m.Headers = map[string]string{"Bad: Name": "x"} },
	} {
		t.Run(name, func(t *testing.T) {
			m := outEmail()
			mod(m)
			if err := s.Send(context.Background(), m); !cspr.IsPermanent(err) {
				t.Errorf("Send = %v, want permanent", err)
			}
		})
	}
}

func TestNewSMTPConfig(t *testing.T) {
	tests := []struct {
		cfg  SMTPConfig
		want string
	}{
		{SMTPConfig{Address: "smtp.example.org:25", TLS: "none"}, "allow_insecure"},
		{SMTPConfig{Address: "smtp.example.org", TLS: "tls"}, "address"},
		{SMTPConfig{Address: "smtp.example.org:587", TLS: "maybe"}, "tls must be"},
	}
	for _, tt := range tests {
		if _, err := NewSMTP(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewSMTP(%+v) = %v, want error containing %q", tt.cfg, err, tt.want)
		}
	}
	for _, cfg := range []SMTPConfig{
		{Address: "smtp.example.org:25", TLS: "none", AllowInsecure: true},
		{Address: "smtp.office365.com:587", TLS: "starttls", Auth: PasswordAuth("a", "b")},
		{Address: "localhost:25", TLS: "none"},
	} {
		if _, err := NewSMTP(cfg); err != nil {
			t.Errorf("NewSMTP(%+v) = %v", cfg, err)
		}
	}
}

func TestSinkWritesFiles(t *testing.T) {
	dir := t.TempDir()
	sink, err := devserver.StartSMTP("127.0.0.1:0", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	mailtest.Strict(t, sink)
	var hooked []string
	sink.OnDeliver(func(r devserver.Received) { hooked = append(hooked, r.MessageID) })
	s := newSender(t, sink, 5*time.Second)
	if err := s.Send(context.Background(), outEmail()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepathGlob(dir, "*.eml")
	if len(files) != 1 || !strings.HasSuffix(files[0], "001-csprbot.1.ab12@lewisham.gov.uk.eml") {
		t.Errorf("files = %v", files)
	}
	if len(hooked) != 1 || hooked[0] != "csprbot.1.ab12@lewisham.gov.uk" {
		t.Errorf("OnDeliver saw %v", hooked)
	}
}

func filepathGlob(dir, pattern string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, pattern))
}

// A retry after a crash must put the very same bytes on the wire as the first attempt:
// same Message-ID, same MIME boundaries.
func TestRenderMessageIsDeterministic(t *testing.T) {
	m := &cspr.OutEmail{MessageID: "LSCP-2026-001.a.b@lewisham.gov.uk", From: "safeguardingpartnership@lewisham.gov.uk",
		To: []string{"lead@met.example"}, Subject: "[LSCP-2026-001] x", Text: "text", HTML: "<p>html</p>",
		Date:        time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
		Attachments: []cspr.Attachment{{Name: "form.docx", ContentType: "application/octet-stream", Data: []byte("PK\x03\x04 form")}}}
	a, err := RenderMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := RenderMessage(m)
	if !bytes.Equal(a, b) {
		t.Fatalf("two renderings of one email differ")
	}
	if !bytes.Contains(a, []byte("=_csprbot_")) || bytes.Count(a, []byte("boundary=")) < 2 {
		t.Errorf("expected nested multiparts with derived boundaries:\n%s", a)
	}
	dm, err := Decode(a, Limits{})
	if err != nil || dm.Text != "text" || len(dm.Attachments) != 1 || dm.MessageID != m.MessageID {
		t.Errorf("rendered message does not decode back: %+v, %v", dm, err)
	}
}
