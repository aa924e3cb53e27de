package mailbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	stdtextproto "net/textproto"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/textproto"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// Outgoing mail is composed here with go-message's writer, not go-mail's: go-mail
// v0.8.1 takes one boundary for every level of a nested multipart (or picks random
// ones), writes it unquoted, and puts RFC 2047 encoded words inside quoted file
// names. Here every multipart gets its own boundary, derived from the Message-ID when
// the message is built, so a retry is byte-identical, and every parameter is written
// as RFC 2045/2231 allow.

// MaxReferences is how many message identifiers References keeps: the first (the
// thread's root) and the last MaxReferences-1, as RFC 5322 §3.6.4 suggests, so a long
// thread cannot grow the field without end.
const MaxReferences = 12

// maxIDLen bounds one message identifier we copy from someone else's mail.
const maxIDLen = 250

// reserved are the fields the composer writes itself; OutEmail.Headers may not set them.
var reserved = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Subject": true, "Date": true, "Message-Id": true,
	"In-Reply-To": true, "References": true, "Mime-Version": true, "Content-Type": true,
	"Content-Transfer-Encoding": true, "Content-Disposition": true,
}

// RenderMessage builds m as it goes on the wire: CRLF lines, every header field folded
// within 78 characters where it can be (always within 998 octets), non-ASCII text in
// encoded words, bodies in quoted-printable or base64, and MIME boundaries derived from
// the Message-ID, so that rendering the same email twice gives the same bytes.
//
// The shape is: text/plain (with text/html as its alternative, if any); attachments
// wrap that in multipart/mixed. An attachment of type text/calendar with a method
// parameter is a meeting request or cancellation (RFC 6047, iMIP): it goes inline in
// the multipart/alternative beside the text, as text/calendar; charset=UTF-8;
// method=…, which is what Outlook and Gmail turn into an invitation, and is also
// attached as application/ics, as Gmail does.
func RenderMessage(m *cspr.OutEmail) ([]byte, error) {
	h, err := topHeader(m)
	if err != nil {
		return nil, err
	}
	body, err := bodyTree(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := render(&buf, h, body, &boundaries{id: m.MessageID}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Envelope is the SMTP envelope of m: the bare address of From, and of every To and Cc.
func Envelope(m *cspr.OutEmail) (from string, rcpts []string, err error) {
	f, err := mail.ParseAddress(m.From)
	if err != nil {
		return "", nil, fmt.Errorf("from %q: %w", m.From, err)
	}
	for _, list := range [][]string{m.To, m.Cc} {
		for _, a := range list {
			p, err := mail.ParseAddress(a)
			if err != nil {
				return "", nil, fmt.Errorf("recipient %q: %w", a, err)
			}
			rcpts = append(rcpts, p.Address)
		}
	}
	if len(rcpts) == 0 {
		return "", nil, errors.New("no recipients")
	}
	return f.Address, rcpts, nil
}

// field is one header field, in the order it is written.
type field struct{ k, v string }

func topHeader(m *cspr.OutEmail) ([]field, error) {
	if _, _, err := Envelope(m); err != nil {
		return nil, err
	}
	var h []field
	from, err := addressList([]string{m.From})
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	h = append(h, field{"From", from})
	if to, err := addressList(m.To); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	} else if to != "" {
		h = append(h, field{"To", to})
	}
	if cc, err := addressList(m.Cc); err != nil {
		return nil, fmt.Errorf("cc: %w", err)
	} else if cc != "" {
		h = append(h, field{"Cc", cc})
	}
	h = append(h, field{"Subject", unstructured(m.Subject)})
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	h = append(h, field{"Date", date.Format("Mon, 02 Jan 2006 15:04:05 -0700")})
	if m.MessageID != "" {
		id := cleanID(m.MessageID)
		if id == "" {
			return nil, fmt.Errorf("message-id %q is not an RFC 5322 msg-id", m.MessageID)
		}
		h = append(h, field{"Message-ID", "<" + id + ">"})
	}
	if id := cleanID(m.InReplyTo); id != "" {
		h = append(h, field{"In-Reply-To", "<" + id + ">"})
	}
	if refs := references(m.References); len(refs) > 0 {
		h = append(h, field{"References", "<" + strings.Join(refs, "> <") + ">"})
	}
	h = append(h, field{"MIME-Version", "1.0"})
	canon := map[string]string{}
	for k := range m.Headers {
		if k == "" || strings.ContainsAny(k, ":") || !isPrintableASCII(k) {
			return nil, fmt.Errorf("header name %q", k)
		}
		c := stdtextproto.CanonicalMIMEHeaderKey(k)
		if reserved[c] {
			return nil, fmt.Errorf("header %s is written by the composer, not set by the caller", k)
		}
		if _, dup := canon[c]; dup {
			return nil, fmt.Errorf("header %s given twice", k)
		}
		canon[c] = k
	}
	for _, c := range slices.Sorted(maps.Keys(canon)) {
		h = append(h, field{c, unstructured(m.Headers[canon[c]])})
	}
	return h, nil
}

// fold writes one field folded at the white space outside quoted strings, so that its
// lines stay within 78 characters where the words allow; a word too long even for
// 998 octets (which nothing we write holds) is split where it must be.
func fold(f field) []byte {
	var b bytes.Buffer
	b.WriteString(f.k + ":")
	n := len(f.k) + 1
	for _, w := range words(f.v) {
		for len(w) > 990 {
			b.WriteString("\r\n " + w[:990])
			w = w[990:]
			n = 991
		}
		if n+1+len(w) > 78 && n > len(f.k)+1 && w != "" {
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteString(" " + w)
		n += 1 + len(w)
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// words splits v at single spaces outside quoted strings.
func words(v string) []string {
	var out []string
	quoted, esc, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case esc:
			esc = false
		case c == '\\' && quoted:
			esc = true
		case c == '"':
			quoted = !quoted
		case c == ' ' && !quoted:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// header makes a go-message header of fields, each folded by fold; go-message writes
// the field added last first, so they are added from the bottom up.
func header(fields []field) textproto.Header {
	var h textproto.Header
	for i := len(fields) - 1; i >= 0; i-- {
		h.AddRaw(fold(fields[i]))
	}
	return h
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}

// unstructured makes an unstructured field body: one line, control characters
// dropped, non-ASCII text as RFC 2047 encoded words (each within 75 characters, so
// the field folds between them).
func unstructured(v string) string {
	v = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			return -1
		}
		return r
	}, v)
	v = strings.Join(strings.Fields(v), " ")
	return mime.QEncoding.Encode("utf-8", v)
}

// addressList formats addresses for To, Cc or From: display names quoted or encoded as
// needed, separated by ", " so the field folds between them.
func addressList(list []string) (string, error) {
	out := make([]string, 0, len(list))
	for _, a := range list {
		p, err := mail.ParseAddress(a)
		if err != nil {
			return "", fmt.Errorf("%q: %w", a, err)
		}
		if !isPrintableASCII(p.Address) {
			return "", fmt.Errorf("%q: the address is not ASCII", a)
		}
		p.Name = strings.Join(strings.Fields(p.Name), " ")
		out = append(out, p.String())
	}
	return strings.Join(out, ", "), nil
}

var atext = `[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+`
var outMsgIDRe = lazyRegexp(`^` + atext + `(\.` + atext + `)*@(` + atext + `(\.` + atext + `)*|\[[!-Z^-~]*\])$`)

// cleanID returns id without angle brackets if it is an RFC 5322 msg-id of a sane
// length, or "".
func cleanID(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if len(id) > maxIDLen || !outMsgIDRe().MatchString(id) {
		return ""
	}
	return id
}

// references keeps the valid identifiers of refs, without repeats, trimmed to the
// first and the last MaxReferences-1.
func references(refs []string) []string {
	var ids []string
	seen := map[string]bool{}
	for _, r := range refs {
		for _, f := range strings.Fields(r) {
			if id := cleanID(f); id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > MaxReferences {
		ids = append(ids[:1:1], ids[len(ids)-(MaxReferences-1):]...)
	}
	return ids
}

// boundaries hands out one boundary per multipart, derived from the Message-ID and
// the multipart's place in the message. They begin "=_", which cannot occur at the
// start of a line of quoted-printable or base64, so no body can contain one.
type boundaries struct {
	id string
	n  int
}

func (b *boundaries) next() string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("csprbot-boundary\x00%s\x00%d", b.id, b.n)))
	b.n++
	return "=_csprbot_" + hex.EncodeToString(sum[:12])
}

// node is one entity of the message: a leaf with its header, transfer encoding and
// body, or a multipart with its children.
type node struct {
	header   []field // a leaf's
	cte      string  // a leaf's Content-Transfer-Encoding
	body     []byte
	multi    string // "mixed" | "alternative" for a multipart
	boundary string // a multipart's, set by fields
	children []*node
}

// fields are n's own header fields: a multipart's Content-Type takes the next boundary.
func (n *node) fields(b *boundaries) []field {
	if n.multi != "" {
		n.boundary = b.next()
		return []field{{"Content-Type", formatMediaType("multipart/"+n.multi, []param{{"boundary", n.boundary}})}}
	}
	return n.header
}

// render writes the whole message: the top-level fields with root's own, then its body.
func render(w *bytes.Buffer, top []field, root *node, b *boundaries) error {
	if err := textproto.WriteHeader(w, header(append(top, root.fields(b)...))); err != nil {
		return err
	}
	if err := root.writeBody(w, b); err != nil {
		return err
	}
	if !bytes.HasSuffix(w.Bytes(), []byte("\r\n")) {
		w.WriteString("\r\n") // as SMTP would: the last line ends in CRLF too
	}
	return nil
}

// writeBody writes n's body, encoded, or its parts between its boundaries.
func (n *node) writeBody(w io.Writer, b *boundaries) error {
	if n.multi == "" {
		return encode(w, n.cte, n.body)
	}
	mw := textproto.NewMultipartWriter(w)
	if err := mw.SetBoundary(n.boundary); err != nil {
		return err
	}
	for _, c := range n.children {
		pw, err := mw.CreatePart(header(c.fields(b)))
		if err != nil {
			return err
		}
		if err := c.writeBody(pw, b); err != nil {
			return err
		}
	}
	return mw.Close()
}

// encode writes body in a transfer encoding: quoted-printable (line ends become CRLF),
// base64 in lines of 76 (the delimiter that follows supplies the last CRLF), or 7bit
// as it is.
func encode(w io.Writer, cte string, body []byte) error {
	switch cte {
	case "quoted-printable":
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write(body); err != nil {
			return err
		}
		return qp.Close()
	case "base64":
		enc := base64.StdEncoding.EncodeToString(body)
		for i := 0; len(enc) > 0; i++ {
			n := min(76, len(enc))
			sep := "\r\n"
			if i == 0 {
				sep = ""
			}
			if _, err := io.WriteString(w, sep+enc[:n]); err != nil {
				return err
			}
			enc = enc[n:]
		}
		return nil
	case "7bit":
		_, err := w.Write(body)
		return err
	default:
		return fmt.Errorf("transfer encoding %q", cte)
	}
}

func leaf(contentType, cte, disposition string, body []byte) *node {
	h := []field{{"Content-Type", contentType}, {"Content-Transfer-Encoding", cte}}
	if disposition != "" {
		h = append(h, field{"Content-Disposition", disposition})
	}
	return &node{header: h, cte: cte, body: body}
}

func textLeaf(subtype, text string) *node {
	return leaf(formatMediaType("text/"+subtype, []param{{"charset", "utf-8"}}), "quoted-printable", "",
		[]byte(strings.ToValidUTF8(text, "\uFFFD")))
}

// bodyTree arranges m's text, HTML, invitations and attachments.
func bodyTree(m *cspr.OutEmail) (*node, error) {
	var alts []*node
	switch {
	case m.Text != "" || m.HTML == "":
		alts = append(alts, textLeaf("plain", m.Text))
		if m.HTML != "" {
			alts = append(alts, textLeaf("html", m.HTML))
		}
	default:
		alts = append(alts, textLeaf("html", m.HTML))
	}
	var files []*node
	for _, a := range m.Attachments {
		name := SanitizeFilename(a.Name)
		if name == "" {
			name = "attachment"
		}
		mt, params, err := mime.ParseMediaType(a.ContentType)
		if typ, sub, ok := strings.Cut(mt, "/"); err != nil || !ok || !isToken(typ) || !isToken(sub) {
			mt, params = "application/octet-stream", nil
		}
		if method := strings.ToUpper(strings.TrimSpace(params["method"])); mt == "text/calendar" && method != "" {
			if !isPrintableASCII(method) {
				return nil, fmt.Errorf("attach %s: method %q", name, method)
			}
			ct := formatMediaType("text/calendar", []param{{"charset", "UTF-8"}, {"method", method}})
			alts = append(alts, leaf(ct, calendarEncoding(a.Data), "", a.Data))
			mt, params = "application/ics", nil
		}
		ps := []param{}
		for _, k := range slices.Sorted(maps.Keys(params)) {
			if k != "name" {
				ps = append(ps, param{k, params[k]})
			}
		}
		ps = append(ps, param{"name", name})
		files = append(files, leaf(formatMediaType(mt, ps), "base64",
			formatMediaType("attachment", []param{{"filename", name}}), a.Data))
	}
	body := alts[0]
	if len(alts) > 1 {
		body = &node{multi: "alternative", children: alts}
	}
	if len(files) > 0 {
		body = &node{multi: "mixed", children: append([]*node{body}, files...)}
	}
	return body, nil
}

// calendarEncoding is 7bit for an iCalendar object that is ASCII with CRLF lines of at
// most 998 octets (what Invite writes), base64 otherwise.
func calendarEncoding(data []byte) string {
	for _, l := range bytes.Split(data, []byte("\r\n")) {
		if len(l) > 998 {
			return "base64"
		}
		for _, c := range l {
			if c >= 0x80 || c == 0 || c == '\r' || c == '\n' {
				return "base64"
			}
		}
	}
	return "7bit"
}

type param struct{ k, v string }

// formatMediaType writes a Content-Type or Content-Disposition value with parameters in
// the given order: a token as it is, other ASCII as a quoted string, and non-ASCII
// values in RFC 2231's extended form (charset utf-8, percent-encoded), split into
// continuations (name*0*, name*1*, …) of at most 50 characters when longer, so the field
// folds between them and stays within 998 octets.
func formatMediaType(mt string, ps []param) string {
	var b strings.Builder
	b.WriteString(mt)
	for _, p := range ps {
		v := p.v
		switch {
		case isToken(v) && len(v) <= 900:
			fmt.Fprintf(&b, "; %s=%s", p.k, v)
		case isPrintableASCII(strings.ReplaceAll(v, " ", "x")) && len(v) <= 900:
			fmt.Fprintf(&b, "; %s=\"%s\"", p.k, strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
		default:
			enc := pctEncode(v)
			if len(enc) <= 50 {
				fmt.Fprintf(&b, "; %s*=utf-8''%s", p.k, enc)
				continue
			}
			// Continuations of about 50 characters, cut only between characters: a
			// reader may decode each continuation by itself (Python's email package
			// does), so neither a %XX nor a character's UTF-8 bytes may straddle two.
			var chunks []string
			var cur strings.Builder
			for _, r := range strings.ToValidUTF8(v, "\uFFFD") {
				e := pctEncode(string(r))
				if cur.Len() > 0 && cur.Len()+len(e) > 50 {
					chunks = append(chunks, cur.String())
					cur.Reset()
				}
				cur.WriteString(e)
			}
			if cur.Len() > 0 {
				chunks = append(chunks, cur.String())
			}
			for i, chunk := range chunks {
				if i == 0 {
					chunk = "utf-8''" + chunk
				}
				fmt.Fprintf(&b, "; %s*%d*=%s", p.k, i, chunk)
			}
		}
	}
	return b.String()
}

// isToken reports whether s is an RFC 2045 token (no tspecials, no spaces or controls).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// pctEncode is RFC 2231's extended value encoding: attribute-chars as they are,
// everything else %XX.
func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > ' ' && c < 0x7f && strings.IndexByte(`*'%()<>@,;:\"/[]?=`, c) < 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
