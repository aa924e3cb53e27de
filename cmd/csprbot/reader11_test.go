package main

// Second reader, issue 11: routes against the streaming intake that held. Each asserts
// behaviour that could fail, and runs in a few seconds.

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// padTo appends an epilogue after the message's last boundary (ignored by every MIME
// reader) so that it is exactly n bytes.
func padTo(t *testing.T, raw []byte, n int) []byte {
	t.Helper()
	if len(raw)+4 > n {
		t.Fatalf("message of %d bytes is already over %d", len(raw), n)
	}
	out := append([]byte{}, raw...)
	out = append(out, "\r\n"...)
	for len(out) < n-2 {
		line := min(76, n-2-len(out))
		out = append(out, bytes.Repeat([]byte("x"), line)...)
		if len(out) < n-2 {
			out = append(out, "\r\n"...)
		}
	}
	out = append(out, "\r\n"...)
	for len(out) > n { // a CRLF landed past n: trim the filler
		out = append(out[:len(out)-3], "\r\n"...)
	}
	if len(out) != n {
		t.Fatalf("padTo: %d bytes, want %d", len(out), n)
	}
	return out
}

// A message of exactly imap.max_message_size bytes is read (spooled, as it is over
// 1 MiB) and opens its case; one byte more is recorded without content, marked read, and
// staff are told, with the sender's mail never dropped silently.
func TestReader11MessageAtAndOneByteOverMaxSize(t *testing.T) {
	const max = 3 << 19 // 1.5 MiB: over the 1 MiB read into memory
	e := newE2E(t)
	e.rewriteConfig(func(s string) string { return withKeys(s, "imap", fmt.Sprintf("max_message_size = %d", max)) })
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	mk := func(from, child string, n, size int) (string, []byte) {
		raw := demoMail{from: from, subject: "Referral for a Child Safeguarding Practice Review",
			body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor(child)}.raw("safeguardingpartnership@lewisham.gov.uk", at, n)
		raw = padTo(t, raw, size)
		return messageIDOf(raw), raw
	}
	idAt, rawAt := mk("safeguarding@lgt-nhs.example", "Jordan Avery", 901, max)
	idOver, rawOver := mk("safeguarding.lead@met.example", "Casey Morgan", 902, max+1)
	for _, r := range [][]byte{rawAt, rawOver} {
		if err := e.imap.Deliver("INBOX", r, at); err != nil {
			t.Fatal(err)
		}
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	for _, id := range []string{idAt, idOver} {
		if present, seen := e.seen(id); !present || !seen {
			t.Errorf("message %s: present %v, seen %v; want marked done", id, present, seen)
		}
	}
	db := openStore(t, e.dbPath())
	if n := queryInt(db, `SELECT count(*) FROM cases`); n != 1 {
		t.Errorf("%d cases; want 1, from the message exactly at max_message_size", n)
	}
	if n := queryInt(db, `SELECT count(*) FROM messages`); n != 2 {
		t.Errorf("%d messages recorded; want 2", n)
	}
	if n := queryInt(db, `SELECT count(*) FROM messages WHERE note LIKE '%exceeds imap.max_message_size%'`); n != 1 {
		t.Errorf("%d messages recorded as too large; want 1 (the one a byte over)", n)
	}
	// A person is told: staff get a notice naming the record.
	told := false
	for _, m := range e.sentTo("strategic.lead@lewisham.gov.uk") {
		if strings.Contains(m.Text, "too large to read") {
			told = true
		}
	}
	if !told {
		t.Errorf("no email to staff names the message too large to read")
	}
}

// decodeBoth decodes raw in memory (Decode, no spill) and as the daemon reads a spooled
// message (DecodeFrom with a Spill folder), and reads what each carries with fillIncoming.
func decodeBoth(t *testing.T, raw []byte) (mem, spilled *tracker.Incoming, mm, sm *mailbox.Message) {
	t.Helper()
	var err error
	mm, err = mailbox.Decode(raw, mailbox.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	sm, err = mailbox.DecodeFrom(bytes.NewReader(raw), mailbox.Limits{}, &mailbox.Spill{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	mem, spilled = &tracker.Incoming{}, &tracker.Incoming{}
	fillIncoming(mem, mm, nil)
	fillIncoming(spilled, sm, nil)
	return
}

func oneAttachment(name, ct, cte, body string) []byte {
	return []byte("From: safeguarding@lgt-nhs.example\r\nTo: safeguardingpartnership@lewisham.gov.uk\r\nSubject: Referral\r\n" +
		"Message-ID: <r11@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nPlease find attached.\r\n" +
		"--b1\r\nContent-Type: " + ct + "\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n" +
		"Content-Transfer-Encoding: " + cte + "\r\n\r\n" + body + "\r\n--b1--\r\n")
}

// bombDocx is the demo referral with an extra part that inflates to 1 GiB, and a stored
// 1.2 MiB part so that the file is over Spill.Over.
func bombDocx(t *testing.T) []byte {
	t.Helper()
	src := demoReferral()
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		r, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(r)
		r.Close()
		if f.Name == "word/document.xml" {
			// The form's text, then a bomb inside the document itself.
			x := b.String()
			i := strings.LastIndex(x, "</w:body>")
			w.Write([]byte(x[:i]))
			chunk := []byte(strings.Repeat("<w:p><w:r><w:t>a</w:t></w:r></w:p>", 1000))
			for n := 0; n < 20000; n++ { // ~700 MB inflated
				w.Write(chunk)
			}
			w.Write([]byte(x[i:]))
			continue
		}
		w.Write(b.Bytes())
	}
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "word/media/image1.png", Method: zip.Store})
	pad := make([]byte, 1200<<10)
	rand.Read(pad)
	w.Write(pad)
	zw.Close()
	return out.Bytes()
}

// A .docx over 1 MiB whose document.xml inflates to ~700 MB: the spilled path (a file
// mapped read-only) and the in-memory path give the same answer, within the parser's caps.
func TestReader11ZipBombSameAnswerSpilledOrInMemory(t *testing.T) {
	doc := bombDocx(t)
	if len(doc) <= 1<<20 {
		t.Fatalf("bomb .docx is %d bytes; want over 1 MiB", len(doc))
	}
	raw := oneAttachment("referral.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "base64",
		wrap76(base64.StdEncoding.EncodeToString(doc)))
	start := time.Now()
	mem, spilled, _, sm := decodeBoth(t, raw)
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("reading the bomb twice took %s", el)
	}
	if len(sm.Attachments) != 1 || sm.Attachments[0].File == "" {
		t.Fatalf("the spilled decode kept the .docx in memory: %+v", sm.Attachments)
	}
	if len(mem.Attachments) != 1 || len(spilled.Attachments) != 1 {
		t.Fatalf("attachments: %d in memory, %d spilled", len(mem.Attachments), len(spilled.Attachments))
	}
	a, b := mem.Attachments[0], spilled.Attachments[0]
	if a.ParseError != b.ParseError || !reflect.DeepEqual(a.Form, b.Form) {
		t.Errorf("different answers: in memory %q %+v; spilled %q %+v", a.ParseError, a.Form, b.ParseError, b.Form)
	}
	if a.ParseError == "" && a.Form == nil {
		t.Errorf("the bomb was neither refused nor read")
	}
}

// An attachment whose Content-Transfer-Encoding lies (raw bytes labelled base64, base64
// labelled quoted-printable), over 1 MiB: both paths keep the same bytes and the same
// problems, and neither drops the part.
func TestReader11LyingTransferEncodingSameBothWays(t *testing.T) {
	bin := make([]byte, 1300<<10)
	rand.Read(bin)
	for i := range bin { // no NUL or bare CR/LF games: printable junk, long lines
		bin[i] = 0x21 + bin[i]%0x5d
		if i%900 == 899 {
			bin[i] = '\n'
		}
	}
	for _, tc := range []struct{ name, cte, body string }{
		{"raw-as-base64", "base64", string(bin)},
		{"base64-as-qp", "quoted-printable", wrap76(base64.StdEncoding.EncodeToString(bin))},
		{"unknown", "x-uuencode", string(bin)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := oneAttachment("form.docx", "application/octet-stream", tc.cte, tc.body)
			_, _, mm, sm := decodeBoth(t, raw)
			if len(mm.Attachments) != 1 || len(sm.Attachments) != 1 {
				t.Fatalf("attachments: %d in memory, %d spilled; problems %v / %v", len(mm.Attachments), len(sm.Attachments), mm.Problems, sm.Problems)
			}
			got := sm.Attachments[0].Data
			if f := sm.Attachments[0].File; f != "" {
				var err error
				if got, err = os.ReadFile(f); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(mm.Attachments[0].Data, got) {
				t.Errorf("in memory %d bytes, spilled %d bytes", len(mm.Attachments[0].Data), len(got))
			}
			if !reflect.DeepEqual(mm.Problems, sm.Problems) {
				t.Errorf("problems differ: in memory %v; spilled %v", mm.Problems, sm.Problems)
			}
		})
	}
}

// A 20 MiB attachment as one base64 line with no line breaks is decoded as a stream into
// its spill file: the bytes come back exact, and decoding allocates a small fraction of it.
func TestReader11UnbrokenBase64LineIsStreamed(t *testing.T) {
	bin := make([]byte, 20<<20)
	rand.Read(bin)
	raw := oneAttachment("photo.bin", "application/octet-stream", "base64", base64.StdEncoding.EncodeToString(bin))
	dir := t.TempDir()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := mailbox.DecodeFrom(bytes.NewReader(raw), mailbox.Limits{}, &mailbox.Spill{Dir: dir})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].File == "" {
		t.Fatalf("attachments %+v, problems %v", m.Attachments, m.Problems)
	}
	got, err := os.ReadFile(m.Attachments[0].File)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bin) {
		t.Errorf("spilled %d bytes, want the %d sent", len(got), len(bin))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("decoding a 20 MiB single-line base64 part allocated %d MiB", alloc>>20)
	}
}

// message/rfc822 inside message/rfc822, 2,000 deep, with a referral at depth 3: decoded
// quickly, the depth noted, the referral found.
func TestReader11DeeplyNestedMessagesAreCut(t *testing.T) {
	inner := oneAttachment("referral.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "base64",
		wrap76(base64.StdEncoding.EncodeToString(referralFor("Jordan Avery"))))
	wrapMsg := func(b []byte, i int) []byte {
		return append([]byte(fmt.Sprintf("From: a%d@example.org\r\nSubject: fwd %d\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n", i, i)), b...)
	}
	deep := inner
	for i := 0; i < 3; i++ {
		deep = wrapMsg(deep, i)
	}
	start := time.Now()
	_, spilled, _, sm := decodeBoth(t, deep)
	if len(spilled.Attachments) != 1 || spilled.Attachments[0].Form == nil || spilled.Attachments[0].Form.Kind != "referral" {
		t.Errorf("the referral three messages deep was not read: %+v, problems %v", spilled.Attachments, sm.Problems)
	}
	for i := 3; i < 2000; i++ {
		deep = wrapMsg(deep, i)
	}
	m, err := mailbox.DecodeFrom(bytes.NewReader(deep), mailbox.Limits{}, &mailbox.Spill{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("2,000 nested messages took %s", el)
	}
	if !strings.Contains(strings.Join(m.Problems, "; "), "nested deeper") {
		t.Errorf("no problem noted for 2,000 nested messages: %v", m.Problems)
	}
}

// wrap76 breaks s into base64's 76-character lines.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

// A reader that keeps its snapshot open (a report piped into a pager that does not read,
// here a read transaction with a result set half read) holds back the WAL's checkpoint;
// the daemon still takes in mail without waiting for it.
func TestReader11OpenReaderDoesNotHoldUpIntake(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Jordan Avery")}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	rd, err := sql.Open("sqlite", "file:"+e.dbPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	tx, err := rd.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.Query(`SELECT id FROM audit UNION ALL SELECT id FROM messages`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatal("nothing to read")
	}
	for i := 0; i < 20; i++ {
		e.deliverRaw(demoMail{from: fmt.Sprintf("stranger%d@example.org", i), subject: "Hello", body: strings.Repeat("words ", 2000)}, at.Add(time.Duration(i+1)*time.Minute))
	}
	start := time.Now()
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")
	if el := time.Since(start); el > 4*time.Second {
		t.Errorf("run --once took %s with a reader holding its snapshot", el)
	}
	if n := queryInt(openStore(t, e.dbPath()), `SELECT count(*) FROM messages`); n != 21 {
		t.Errorf("%d messages recorded, want 21", n)
	}
}
