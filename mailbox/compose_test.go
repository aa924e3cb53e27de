package mailbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lewisham-lscp/csprbot/mailbox/devserver"
	"github.com/lewisham-lscp/csprbot/mailbox/mailtest"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// leaves reads raw with the standard library only and returns each leaf part as
// "media/type" → decoded body, in order, with the tree's shape.
func leaves(t *testing.T, raw []byte) (shape string, parts []devserver.Part) {
	t.Helper()
	rep := devserver.Check(raw)
	if len(rep.Problems) > 0 {
		t.Fatalf("strict reader: %s", strings.Join(rep.Problems, "; "))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(ct string, body io.Reader) string
	walk = func(ct string, body io.Reader) string {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("ParseMediaType(%q) = %v", ct, err)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			return mt
		}
		r := multipart.NewReader(body, params["boundary"])
		var kids []string
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			kids = append(kids, walk(p.Header.Get("Content-Type"), p))
		}
		return mt + "(" + strings.Join(kids, " ") + ")"
	}
	return walk(msg.Header.Get("Content-Type"), msg.Body), rep.Parts
}

// A body that itself holds "boundary=", "=3D", a line like one of our own delimiters,
// trailing spaces and a long line arrives exactly as it was written.
func TestRenderBodyArrivesIntact(t *testing.T) {
	text := "Content-Type: multipart/mixed; boundary=\"x\"\n" +
		"a=3D b boundary==_csprbot_0123 and =?utf-8?q?not_a_word?=\n" +
		"--=_csprbot_c6bdbace9333943c7791698a\n" +
		"trailing spaces   \n" +
		strings.Repeat("long line ", 150) + "\n" +
		". a dot line\n.\nFrom the start\ncafé ☐ ✓\n"
	html := "<p>boundary=&quot;q&quot; =3D</p>\n"
	m := &cspr.OutEmail{MessageID: "LSCP-2026-001.a.b@lewisham.gov.uk", From: "safeguardingpartnership@lewisham.gov.uk",
		To: []string{"lead@met.example"}, Subject: "[LSCP-2026-001] boundary= =3D", Text: text, HTML: html,
		Date:        time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
		Attachments: []cspr.Attachment{{Name: "boundary=.txt", ContentType: "text/plain", Data: []byte("boundary=\"zz\"\r\n=3D\r\n")}}}
	sink := startSink(t)
	if err := newSender(t, sink, 5*time.Second).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	raw := sink.Messages()[0].Data
	shape, parts := leaves(t, raw)
	if want := "multipart/mixed(multipart/alternative(text/plain text/html) text/plain)"; shape != want {
		t.Errorf("shape = %s, want %s", shape, want)
	}
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	if got := string(parts[0].Body); got != crlf(text) {
		t.Errorf("text arrived as\n%q\nwant\n%q", got, crlf(text))
	}
	if got := string(parts[1].Body); got != crlf(html) {
		t.Errorf("html arrived as %q, want %q", got, crlf(html))
	}
	if got := string(parts[2].Body); got != "boundary=\"zz\"\r\n=3D\r\n" || parts[2].Filename != "boundary=.txt" {
		t.Errorf("attachment arrived as %q named %q", got, parts[2].Filename)
	}
	msg, _ := mail.ReadMessage(bytes.NewReader(raw))
	var dec mime.WordDecoder
	if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || subj != m.Subject {
		t.Errorf("Subject = %q, %v; want %q", subj, err, m.Subject)
	}
	again, err := RenderMessage(m)
	if err != nil || !bytes.Equal(again, raw) {
		t.Errorf("the same email rendered again differs from what was sent (err %v)", err)
	}
}

// Every header stays within 998 octets however long what goes into it: a 60-message
// thread's References, a long non-ASCII subject, many recipients with non-ASCII names,
// a long non-ASCII file name.
func TestRenderHeadersWithinLimits(t *testing.T) {
	var refs []string
	for i := range 60 {
		refs = append(refs, fmt.Sprintf("CAH%d-reply.%040d@mail.gmail.com", i, i))
	}
	var to []string
	for i := range 80 {
		to = append(to, fmt.Sprintf("Zoë Ødegård-Łukasiewicz %d <lead%d@agency%d.example>", i, i, i))
	}
	subject := "[LSCP-2026-001] " + strings.Repeat("Révision — ☐ ✓ ", 40)
	name := strings.Repeat("Fiche d’évaluation ", 10) + ".docx"
	m := &cspr.OutEmail{MessageID: "LSCP-2026-001.ack.1@lewisham.gov.uk", From: "Lewisham Safeguarding Children Partnership <safeguardingpartnership@lewisham.gov.uk>",
		To: to, Subject: subject, Text: "Thank you.", InReplyTo: refs[59], References: append(refs, "not an id", "<a@b>"),
		Headers:     map[string]string{"Auto-Submitted": "auto-replied", "X-Note": strings.Repeat("é", 400)},
		Date:        time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
		Attachments: []cspr.Attachment{{Name: name, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: []byte("PK")}}}
	raw, err := RenderMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	mailtest.Assert(t, "the long-header email", raw)
	for i, l := range strings.Split(string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))]), "\r\n") {
		// Longer than 78 only where one word leaves no room to fold.
		if rest := strings.TrimLeft(l[strings.Index(l, ":")+1:], " "); len(l) > 78 && strings.Contains(rest, " ") {
			t.Errorf("header line %d is %d octets (more than 78) and could fold: %q", i+1, len(l), l)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	gotRefs := strings.Fields(msg.Header.Get("References"))
	if len(gotRefs) != MaxReferences || gotRefs[0] != "<"+refs[0]+">" || gotRefs[len(gotRefs)-1] != "<a@b>" ||
		gotRefs[len(gotRefs)-2] != "<"+refs[59]+">" {
		t.Errorf("References = %v, want the first and the last %d", gotRefs, MaxReferences-1)
	}
	var dec mime.WordDecoder
	if s, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || s != strings.TrimSpace(subject) {
		t.Errorf("Subject = %q, %v", s, err)
	}
	addrs, err := msg.Header.AddressList("To")
	if err != nil || len(addrs) != 80 || addrs[79].Name != "Zoë Ødegård-Łukasiewicz 79" {
		t.Errorf("To = %d addresses (%v), err %v", len(addrs), addrs[len(addrs)-1], err)
	}
	_, parts := leaves(t, raw)
	if parts[1].Filename != SanitizeFilename(name) || !strings.HasSuffix(parts[1].Filename, ".docx") {
		t.Errorf("file name = %q, want %q", parts[1].Filename, SanitizeFilename(name))
	}
}

// A meeting request is what Outlook and Gmail show as an invitation: text/calendar;
// method=REQUEST inline in multipart/alternative as the first part of multipart/mixed,
// and the same object attached as application/ics.
func TestRenderInvitation(t *testing.T) {
	for _, method := range []string{"REQUEST", "CANCEL"} {
		t.Run(method, func(t *testing.T) {
			ics := strings.Replace(testInvite, "METHOD:REQUEST", "METHOD:"+method, 1)
			if method == "CANCEL" {
				ics = strings.Replace(ics, "END:VEVENT", "STATUS:CANCELLED\r\nEND:VEVENT", 1)
			}
			m := &cspr.OutEmail{MessageID: "LSCP-2026-001.inv.1@lewisham.gov.uk", From: "safeguardingpartnership@lewisham.gov.uk",
				To: []string{"agency@example.org"}, Subject: "[LSCP-2026-001] Rapid Review meeting", Text: "Please come.", HTML: "<p>Please come.</p>",
				Date:        time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
				Attachments: []cspr.Attachment{{Name: "invite.ics", ContentType: "text/calendar; charset=utf-8; method=" + method, Data: []byte(ics)}}}
			raw, err := RenderMessage(m)
			if err != nil {
				t.Fatal(err)
			}
			mailtest.Assert(t, "the invitation", raw)
			shape, parts := leaves(t, raw)
			if want := "multipart/mixed(multipart/alternative(text/plain text/html text/calendar) application/ics)"; shape != want {
				t.Errorf("shape = %s, want %s", shape, want)
			}
			cal := parts[2]
			if cal.Params["method"] != method || cal.Params["charset"] != "UTF-8" || cal.Disposition != "" || string(cal.Body) != ics {
				t.Errorf("inline calendar part = %+v", cal)
			}
			if att := parts[3]; att.Disposition != "attachment" || att.Filename != "invite.ics" || string(att.Body) != ics {
				t.Errorf("attached calendar = %+v", att)
			}
		})
	}
}

// A refusal of the message itself (at the end of DATA) is told apart from a refusal of
// its recipients.
func TestSendMessageRefused(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*devserver.SMTPSink)
		refused bool
	}{
		{"552 size", func(s *devserver.SMTPSink) { s.Fail(552, "5.3.4 Message size exceeds fixed maximum message size", 1) }, true},
		{"554 content", func(s *devserver.SMTPSink) { s.Fail(554, "5.6.0 line too long", 1) }, true},
		{"451 at data", func(s *devserver.SMTPSink) { s.Fail(451, "try later", 1) }, false},
		{"550 recipient", func(s *devserver.SMTPSink) { s.RejectRecipient("agency@example.org", 550) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := startSink(t)
			tc.setup(sink)
			err := newSender(t, sink, 5*time.Second).Send(context.Background(), outEmail())
			var se *cspr.SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send = %v, want a *cspr.SendError", err)
			}
			if se.MessageRefused != tc.refused || cspr.IsMessageRefused(err) != tc.refused {
				t.Errorf("MessageRefused = %v, want %v (%v)", se.MessageRefused, tc.refused, err)
			}
		})
	}
	m := outEmail()
	m.Headers = map[string]string{"Content-Type": "text/plain"}
	if err := newSender(t, startSink(t), 5*time.Second).Send(context.Background(), m); !cspr.IsMessageRefused(err) || !cspr.IsPermanent(err) {
		t.Errorf("Send of an email that cannot be built = %v, want permanent and MessageRefused", err)
	}
}

func TestFormatMediaType(t *testing.T) {
	long := strings.Repeat("évaluation ", 12) + ".docx"
	tests := []struct {
		v, want string // want: how the parameter is written ("" = not checked)
	}{
		{"form.docx", "; filename=form.docx"},
		{"LSCP-2026-001 Initial scoping and information sharing form.docx", `; filename="LSCP-2026-001 Initial scoping and information sharing form.docx"`},
		{`a "quoted" \ name`, `; filename="a \"quoted\" \\ name"`},
		{"=_csprbot_0123", `; filename="=_csprbot_0123"`},
		{"café.docx", "; filename*=utf-8''caf%C3%A9.docx"},
		{long, ""},
		{"Appendix 1 – CSPR referral – Lewisham and Greenwich NHS Trust.docx", ""},
	}
	for _, tc := range tests {
		got := formatMediaType("attachment", []param{{"filename", tc.v}})
		// Each continuation must decode by itself (Python's email package reads them so):
		// a cut inside a character's UTF-8 bytes is a defect there.
		for _, w := range strings.Split(got, "; ")[1:] {
			k, v, _ := strings.Cut(w, "=")
			if !strings.HasSuffix(k, "*") {
				continue
			}
			v = strings.TrimPrefix(v, "utf-8''")
			if dec, err := url.PathUnescape(v); err != nil || !utf8.ValidString(dec) {
				t.Errorf("formatMediaType(%q): continuation %s does not decode by itself (%v)", tc.v, w, err)
			}
		}
		if tc.want != "" && got != "attachment"+tc.want {
			t.Errorf("formatMediaType(%q) = %s, want attachment%s", tc.v, got, tc.want)
		}
		d, ps, err := mime.ParseMediaType(got)
		if err != nil || d != "attachment" || ps["filename"] != tc.v {
			t.Errorf("mime.ParseMediaType(%s) = %q %q %v, want %q", got, d, ps["filename"], err, tc.v)
		}
		for _, w := range words(got) {
			if len(w) > 77 {
				t.Errorf("formatMediaType(%q) holds a word of %d characters: %q", tc.v, len(w), w)
			}
		}
	}
}

func TestRenderShapes(t *testing.T) {
	base := func() *cspr.OutEmail {
		return &cspr.OutEmail{MessageID: "LSCP-2026-001.s.1@lewisham.gov.uk", From: "Équipe LSCP <safeguardingpartnership@lewisham.gov.uk>",
			To: []string{"lead@met.example"}, Subject: "[LSCP-2026-001] x", Date: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	}
	tests := []struct {
		name  string
		edit  func(*cspr.OutEmail)
		shape string
		text  string // the first part's decoded body, "" not checked
	}{
		{"text only", func(m *cspr.OutEmail) { m.Text = "one\r\ntwo\rthree\n" }, "text/plain", ""},
		{"html only", func(m *cspr.OutEmail) { m.HTML = "<p>hi</p>" }, "text/html", "<p>hi</p>\r\n"},
		{"empty", func(m *cspr.OutEmail) { m.Subject = "" }, "text/plain", ""},
		{"text and html", func(m *cspr.OutEmail) { m.Text, m.HTML = "hi", "<p>hi</p>" }, "multipart/alternative(text/plain text/html)", "hi"},
		{"odd attachment", func(m *cspr.OutEmail) {
			m.Text = "see attached"
			m.Attachments = []cspr.Attachment{{Name: "", ContentType: "bogus", Data: []byte{0, 1, 2}},
				{Name: "../../etc/passwd", ContentType: "text/plain; charset=\"iso-8859-1\"", Data: []byte("caf\xe9")},
				{Name: "feed.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}}
		}, "multipart/mixed(text/plain application/octet-stream text/plain text/calendar)", "see attached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(m)
			raw, err := RenderMessage(m)
			if err != nil {
				t.Fatal(err)
			}
			rep := devserver.Check(raw)
			if len(rep.Problems) > 0 {
				t.Fatalf("strict reader: %v\n%s", rep.Problems, raw)
			}
			shape, parts := leaves(t, raw)
			if shape != tc.shape {
				t.Errorf("shape = %s, want %s", shape, tc.shape)
			}
			if tc.text != "" && string(parts[0].Body) != tc.text {
				t.Errorf("first part = %q, want %q", parts[0].Body, tc.text)
			}
			if tc.name == "odd attachment" {
				if parts[1].Filename != "attachment" || parts[2].Filename != "passwd" || string(parts[2].Body) != "caf\xe9" ||
					parts[2].Params["charset"] != "iso-8859-1" {
					t.Errorf("attachments = %+v", parts[1:])
				}
			}
		})
	}
}

// Whatever goes into an email, what comes out is what the strict reader accepts.
func FuzzRenderMessage(f *testing.F) {
	f.Add("[LSCP-2026-001] Référé ☐", "body boundary= =3D\n--=_csprbot_x\n", "<p>hi</p>", "Zoë, Ødegård", "form é.docx", "text/plain; charset=iso-8859-1", "a@b c@d")
	f.Add("", "", "", "", "", "", "")
	f.Add(strings.Repeat("x", 2000), strings.Repeat("y", 5000), "", `a "b" \c`, strings.Repeat("é", 300), "text/calendar; method=request", "<x@y>")
	f.Fuzz(func(t *testing.T, subject, text, html, name, file, ctype, refs string) {
		m := &cspr.OutEmail{MessageID: "LSCP-2026-001.f.1@lewisham.gov.uk", From: "safeguardingpartnership@lewisham.gov.uk",
			To: []string{(&mail.Address{Name: name, Address: "lead@met.example"}).String()}, Subject: subject, Text: text, HTML: html,
			References: strings.Fields(refs), InReplyTo: refs, Headers: map[string]string{"X-Note": subject},
			Date:        time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
			Attachments: []cspr.Attachment{{Name: file, ContentType: ctype, Data: []byte(text)}}}
		raw, err := RenderMessage(m)
		if err != nil {
			return
		}
		if ps := devserver.Check(raw).Problems; len(ps) > 0 {
			t.Fatalf("strict reader: %v\n%s", ps, raw)
		}
	})
}
