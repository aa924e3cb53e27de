package mailbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func decodeFile(t *testing.T, name string) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(raw, Limits{})
	if err != nil {
		t.Fatalf("Decode(%s) error: %v", name, err)
	}
	if m == nil {
		t.Fatalf("Decode(%s) = nil", name)
	}
	return m
}

func attNames(m *Message) []string {
	var out []string
	for _, a := range m.Attachments {
		out = append(out, a.Name)
	}
	return out
}

func TestDecode(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, m *Message)
	}{
		{"latin1.eml", func(t *testing.T, m *Message) {
			want(t, "Subject", m.Subject, "Café résumé for review")
			want(t, "From", m.From, "renee.dupont@example.nhs.uk")
			want(t, "FromName", m.FromName, "Renée Dupont")
			want(t, "To", strings.Join(m.To, ","), "partnership@example.org,jo@example.org")
			want(t, "Cc", strings.Join(m.Cc, ","), "other@example.org")
			want(t, "MessageID", m.MessageID, "latin1.1@example.nhs.uk")
			want(t, "Text", strings.TrimSpace(m.Text), "Please find the résumé attached. £100 fee.")
			want(t, "attachments", strings.Join(attNames(m), ","), "Résumé.docx")
			if len(m.Attachments) == 1 && !strings.HasPrefix(string(m.Attachments[0].Data), "PK\x03\x04") {
				t.Errorf("attachment data = %q", m.Attachments[0].Data)
			}
			if wantDate := time.Date(2025, 6, 3, 8, 15, 0, 0, time.UTC); !m.Date.Equal(wantDate) {
				t.Errorf("Date = %v, want %v", m.Date, wantDate)
			}
			want(t, "Auto", string(m.Auto), "")
		}},
		{"8bit-header.eml", func(t *testing.T, m *Message) {
			want(t, "Subject", m.Subject, "Café form")
			want(t, "FromName", m.FromName, "José")
			want(t, "From", m.From, "jose@example.org")
			want(t, "Text", strings.TrimSpace(m.Text), "Body with 8-bit é in it.")
		}},
		{"nested.eml", func(t *testing.T, m *Message) {
			want(t, "Text", strings.TrimSpace(m.Text), "See the forwarded message.")
			want(t, "attachments", strings.Join(attNames(m), ","), "return form.docx")
			want(t, "MessageID", m.MessageID, "outer@example.org")
		}},
		{"broken-boundary.eml", func(t *testing.T, m *Message) {
			want(t, "Text", strings.TrimSpace(m.Text), "Text survives.")
			if len(m.Problems) == 0 {
				t.Error("no problem reported for a missing closing boundary")
			}
		}},
		{"exchange-ooo.eml", func(t *testing.T, m *Message) {
			want(t, "Auto", string(m.Auto), string(AutoReply))
			want(t, "AwayUntil", m.AwayUntil, "Monday 16 June 2025")
			want(t, "InReplyTo", m.InReplyTo, "csprbot.1.ab12@lewisham.gov.uk")
			want(t, "References", strings.Join(m.References, " "), "csprbot.1.ab12@lewisham.gov.uk")
			if !strings.Contains(m.HTML, "out of the office") {
				t.Errorf("HTML = %q", m.HTML)
			}
		}},
		{"exchange-ooo-de.eml", func(t *testing.T, m *Message) {
			want(t, "Auto", string(m.Auto), string(AutoReply))
		}},
		{"gmail-vacation.eml", func(t *testing.T, m *Message) {
			want(t, "Auto", string(m.Auto), string(AutoReply))
			want(t, "AwayUntil", m.AwayUntil, "23rd June")
		}},
		{"dsn-bounce.eml", func(t *testing.T, m *Message) {
			want(t, "Auto", string(m.Auto), string(AutoBounce))
			if m.Bounce == nil {
				t.Fatal("Bounce = nil")
			}
			want(t, "OriginalMessageID", m.Bounce.OriginalMessageID, "csprbot.7.ff00@lewisham.gov.uk")
			if len(m.Bounce.Recipients) != 2 {
				t.Fatalf("Recipients = %+v, want 2", m.Bounce.Recipients)
			}
			r := m.Bounce.Recipients[0]
			want(t, "Address", r.Address, "nobody@agency.example")
			want(t, "Action", r.Action, "failed")
			want(t, "Status", r.Status, "5.1.1")
			want(t, "Diagnostic", r.Diagnostic, "550 5.1.1 <nobody@agency.example>: Recipient address rejected: User unknown")
			want(t, "second Action", m.Bounce.Recipients[1].Action, "delayed")
			if len(m.Attachments) != 0 {
				t.Errorf("attachments = %v, want none", attNames(m))
			}
		}},
		{"plain-bounce.eml", func(t *testing.T, m *Message) {
			want(t, "Auto", string(m.Auto), string(AutoMailerDaemon))
			if m.Bounce == nil || m.Bounce.OriginalMessageID != "csprbot.9.aa@lewisham.gov.uk" {
				t.Errorf("Bounce = %+v, want original csprbot.9.aa@lewisham.gov.uk", m.Bounce)
			}
		}},
		{"loop.eml", func(t *testing.T, m *Message) {
			want(t, "Auto", string(m.Auto), string(AutoLoop))
			want(t, "Header", strings.Join(m.Header["X-Csprbot-Loop"], ""), "lewisham-lscp")
		}},
		{"bulk.eml", func(t *testing.T, m *Message) {
			want(t, "Auto", string(m.Auto), string(AutoBulk))
		}},
		{"unknown-charset.eml", func(t *testing.T, m *Message) {
			want(t, "Text", strings.TrimSpace(m.Text), "Plain ascii in an unknown charset.")
			want(t, "attachments", strings.Join(attNames(m), ","), "data.bin")
			if len(m.Problems) == 0 {
				t.Error("no problem reported for an unknown charset")
			}
		}},
		{"calendar.eml", func(t *testing.T, m *Message) {
			want(t, "Text", strings.TrimSpace(m.Text), "Panel on Friday.")
			want(t, "HTML", strings.TrimSpace(m.HTML), "<p>Panel on <b>Friday</b>.</p>")
			want(t, "attachments", strings.Join(attNames(m), ","), "attachment-1.ics,winmail.dat,pass wd.pdf")
			if len(m.Attachments) == 3 {
				want(t, "calendar type", m.Attachments[0].ContentType, "text/calendar; method=REQUEST")
				want(t, "tnef type", m.Attachments[1].ContentType, "application/ms-tnef")
				want(t, "tnef data", string(m.Attachments[1].Data), "x\x9f>\"\x01\x00\x01")
			}
		}},
		{"no-boundary.eml", func(t *testing.T, m *Message) {
			want(t, "Text", strings.TrimSpace(m.Text), "Just text really.")
		}},
		{"bad-header.eml", func(t *testing.T, m *Message) {
			want(t, "Subject", m.Subject, "Still readable")
			want(t, "From", m.From, "a@example.org")
			want(t, "Text", strings.TrimSpace(m.Text), "Body.")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { tt.check(t, decodeFile(t, tt.file)) })
	}
}

func want(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestDecodeAutoHeaders(t *testing.T) {
	base := "From: Someone <someone@example.org>\r\nTo: p@example.org\r\nSubject: %s\r\n%s\r\nhello\r\n"
	tests := []struct {
		name, subject, headers string
		want                   AutoKind
	}{
		{"person", "Return", "", AutoNone},
		{"auto-submitted no", "Return", "Auto-Submitted: no\r\n", AutoNone},
		{"auto-replied", "Re: x", "Auto-Submitted: auto-replied\r\n", AutoReply},
		{"auto-generated", "Report", "Auto-Submitted: auto-generated\r\n", AutoGenerated},
		{"x-autoreply", "Re: x", "X-Autoreply: yes\r\n", AutoReply},
		{"x-autorespond", "Re: x", "X-Autorespond: yes\r\n", AutoReply},
		{"exchange subject", "Automatic reply: x", "", AutoReply},
		{"out of office subject", "Out of Office: x", "", AutoReply},
		{"french", "Réponse automatique : x", "", AutoReply},
		{"exchange rules loop", "x", "X-Auto-Response-Suppress: All\r\nX-MS-Exchange-Inbox-Rules-Loop: a@b\r\n", AutoReply},
		{"suppress alone", "x", "X-Auto-Response-Suppress: All\r\n", AutoGenerated},
		{"precedence bulk", "x", "Precedence: bulk\r\n", AutoBulk},
		{"precedence junk", "x", "Precedence: junk\r\n", AutoBulk},
		{"precedence list", "x", "Precedence: list\r\n", AutoBulk},
		{"list-id", "x", "List-Id: <a.b>\r\n", AutoBulk},
		{"empty return path", "x", "Return-Path: <>\r\n", AutoGenerated},
		{"loop", "x", "X-Csprbot-Loop: 1\r\n", AutoLoop},
		{"report", "x", "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n", AutoBounce},
		{"not an auto subject", "Automatic enrolment form", "", AutoNone},
		{"auto-referral is a person's subject", "Auto-referral: serious incident", "", AutoNone},
		{"auto- prefixed word", "Auto-enrolment referral", "", AutoNone},
		{"bare auto with colon", "Auto: away this week", "", AutoReply},
		{"auto-reply", "Auto-Reply: away", "", AutoReply},
		{"out of office dash", "Out of Office - back Monday", "", AutoReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := strings.Replace(base, "%s", tt.subject, 1)
			raw = strings.Replace(raw, "%s", tt.headers, 1)
			m, err := Decode([]byte(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Auto != tt.want {
				t.Errorf("Auto = %q, want %q", m.Auto, tt.want)
			}
		})
	}
	for _, from := range []string{"MAILER-DAEMON@x.example", "postmaster@x.example"} {
		m, _ := Decode([]byte("From: "+from+"\r\nSubject: Undeliverable\r\n\r\nsorry\r\n"), Limits{})
		if m.Auto != AutoMailerDaemon {
			t.Errorf("From %s: Auto = %q, want mailer_daemon", from, m.Auto)
		}
	}
}

func TestDecodeLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 0; i < 20; i++ {
		b.WriteString("--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f.bin\r\n\r\nxx\r\n")
	}
	b.WriteString("--b--\r\n")
	m, err := Decode([]byte(b.String()), Limits{MaxParts: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) > 5 || len(m.Problems) == 0 {
		t.Errorf("%d attachments, problems %v; want at most 5 and a problem", len(m.Attachments), m.Problems)
	}
	// Deep nesting.
	deep := "From: a@example.org\r\n"
	for i := 0; i < 50; i++ {
		deep += "Content-Type: message/rfc822\r\n\r\n"
	}
	deep += "Subject: x\r\n\r\nbody\r\n"
	m, err = Decode([]byte(deep), Limits{MaxDepth: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Problems) == 0 {
		t.Error("no problem for nesting beyond MaxDepth")
	}
}

func TestDecodeUnreadable(t *testing.T) {
	for _, raw := range []string{"", "   \r\n"} {
		m, err := Decode([]byte(raw), Limits{})
		if err == nil || m == nil {
			t.Errorf("Decode(%q) = %v, %v; want a Message and an error", raw, m, err)
		}
	}
}

func TestSanitizeFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.docx", "report.docx"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\x\form.docx`, "form.docx"},
		{"a\x00b\x1fc.pdf", "abc.pdf"},
		{"..hidden", "hidden"},
		{"what?.docx", "what_.docx"},
		{"", ""},
		{"..", ""},
		{strings.Repeat("é", 150) + ".docx", strings.Repeat("é", 97) + ".docx"},
	}
	for _, tt := range tests {
		if got := SanitizeFilename(tt.in); got != tt.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, _ := Decode(raw, Limits{MaxParts: 50, MaxDepth: 8, MaxPartSize: 1 << 20})
		if m == nil {
			t.Fatal("Decode returned nil")
		}
		for _, a := range m.Attachments {
			if strings.ContainsAny(a.Name, "/\\\x00") {
				t.Fatalf("unsafe attachment name %q", a.Name)
			}
		}
	})
}

// A From header whose display name holds an address is read strictly: the sender is the
// address in the angle brackets, and the oddity is noted for a person.
func TestDecodeFromStrict(t *testing.T) {
	tests := []struct {
		name, from, want string
		problem          bool
	}{
		{"plain", "Jo Bloggs <jo@police.example>", "jo@police.example", false},
		{"unquoted address as name", "lead@health.example <stranger@evil.example>", "stranger@evil.example", true},
		{"quoted address as name", `"lead@health.example" <stranger@evil.example>`, "stranger@evil.example", true},
		{"name says the same address", `"jo@police.example" <jo@police.example>`, "jo@police.example", false},
		{"bare address", "jo@police.example", "jo@police.example", false},
		{"malformed", "Jo <jo@police.example", "jo@police.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: " + tt.from + "\r\nTo: p@example.org\r\nSubject: x\r\n\r\nhello\r\n"
			m, err := Decode([]byte(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.From != tt.want {
				t.Errorf("From = %q, want %q", m.From, tt.want)
			}
			noted := false
			for _, p := range m.Problems {
				noted = noted || strings.Contains(p, "From")
			}
			if noted != tt.problem {
				t.Errorf("problem noted = %v (%q), want %v", noted, m.Problems, tt.problem)
			}
		})
	}
}
