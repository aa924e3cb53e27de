package devserver

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Part is one leaf of a message as the strict reader found it: its media type and
// parameters, its disposition and file name, and its body with the transfer encoding
// undone.
type Part struct {
	Path        string // "1", "1.2", …; "" for a message that is not multipart
	MediaType   string // lower case, e.g. "text/calendar"
	Params      map[string]string
	Disposition string // lower case; "" when the part has no Content-Disposition
	Filename    string
	Body        []byte
}

// Report is what the strict reader made of one message.
type Report struct {
	Problems []string // empty when the message is what the RFCs allow
	Parts    []Part   // every leaf, in order
}

// maxLine is RFC 5322 §2.1.1's limit on a line, without its CRLF.
const maxLine = 998

// Check reads raw as a receiver that keeps to the standards would, using only the
// standard library (net/mail, mime, mime/multipart, mime/quotedprintable) and none
// of csprbot's own decoding: every line ends in CRLF and is at most 998 octets; the
// header is 7-bit with well-formed fields; From, Date and Message-ID are there once
// and parse; addresses, message identifiers and encoded words parse; MIME-Version is
// 1.0; every Content-Type and Content-Disposition parses with mime.ParseMediaType;
// every multipart has a valid boundary, its parts and its closing delimiter; every
// leaf's transfer encoding is known and decodes; text in UTF-8 is valid UTF-8.
func Check(raw []byte) Report {
	c := &checker{}
	c.lines(raw)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		c.add("net/mail cannot read the message: %v", err)
		return c.report()
	}
	c.topHeader(msg.Header)
	if v := msg.Header.Get("Mime-Version"); strings.TrimSpace(v) != "1.0" {
		c.add("MIME-Version is %q, want 1.0", v)
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		c.add("reading the body: %v", err)
		return c.report()
	}
	c.entity("", mimeHeader(msg.Header), body, 0)
	return c.report()
}

type checker struct {
	problems []string
	parts    []Part
}

func (c *checker) add(format string, args ...any) {
	if len(c.problems) < 50 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

func (c *checker) report() Report { return Report{Problems: c.problems, Parts: c.parts} }

// lines checks line ends and lengths over the whole message, and that the header
// block is 7-bit with well-formed field names and continuations.
func (c *checker) lines(raw []byte) {
	inHeader := true
	n := 0
	for len(raw) > 0 {
		n++
		i := bytes.IndexByte(raw, '\n')
		var line []byte
		if i < 0 {
			line, raw = raw, nil
			c.add("line %d: the message does not end with CRLF", n)
		} else {
			line, raw = raw[:i], raw[i+1:]
			if !bytes.HasSuffix(line, []byte("\r")) {
				c.add("line %d: bare LF (lines must end in CRLF)", n)
			} else {
				line = line[:len(line)-1]
			}
		}
		if bytes.IndexByte(line, '\r') >= 0 {
			c.add("line %d: bare CR", n)
		}
		if len(line) > maxLine {
			where := "body"
			if inHeader {
				where = "header"
			}
			c.add("line %d (%s): %d octets, more than %d", n, where, len(line), maxLine)
		}
		if !inHeader {
			continue
		}
		if len(line) == 0 {
			inHeader = false
			continue
		}
		for _, b := range line {
			if b >= 0x80 || b == 0 {
				c.add("line %d: header holds an 8-bit or NUL octet: %.60q", n, line)
				break
			}
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n == 1 {
				c.add("line 1: the header starts with a continuation line")
			} else if len(bytes.TrimSpace(line)) == 0 {
				c.add("line %d: a folded header line holds only white space", n)
			}
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !fieldName().Match(line[:colon]) {
			c.add("line %d: not a header field: %.60q", n, line)
		}
	}
	if inHeader {
		c.add("no empty line ends the header")
	}
}

var fieldName = lazyRegexp(`^[!-9;-~]+$`)

// once are the fields RFC 5322 §3.6 allows at most once.
var once = []string{"From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-Id", "In-Reply-To",
	"References", "Subject", "Date", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"}

func (c *checker) topHeader(h mail.Header) {
	for _, k := range once {
		if len(h[k]) > 1 {
			c.add("%s appears %d times", k, len(h[k]))
		}
	}
	for _, k := range []string{"From", "Date", "Message-Id"} {
		if len(h[k]) == 0 {
			c.add("no %s", k)
		}
	}
	if v := h.Get("Date"); v != "" {
		if _, err := mail.ParseDate(v); err != nil {
			c.add("Date %q: %v", v, err)
		}
	}
	for _, k := range []string{"From", "Sender", "Reply-To", "To", "Cc"} {
		if v := h.Get(k); v != "" {
			if _, err := mail.ParseAddressList(v); err != nil {
				c.add("%s %.80q: %v", k, v, err)
			}
		}
	}
	if v := h.Get("Message-Id"); v != "" {
		if ids := msgIDs(v); len(ids) != 1 {
			c.add("Message-ID %.80q is not one msg-id", v)
		}
	}
	for _, k := range []string{"In-Reply-To", "References"} {
		if v := h.Get(k); v != "" && msgIDs(v) == nil {
			c.add("%s %.80q is not a list of msg-ids", k, v)
		}
	}
	var dec mime.WordDecoder
	for k, vs := range h {
		for _, v := range vs {
			if !strings.Contains(v, "=?") {
				continue
			}
			if _, err := dec.DecodeHeader(v); err != nil {
				c.add("%s: encoded word does not decode: %v", k, err)
			}
			for _, w := range encodedWord().FindAllString(v, -1) {
				if len(w) > 75 {
					c.add("%s: encoded word of %d characters, more than 75", k, len(w))
				}
			}
		}
	}
}

var encodedWord = lazyRegexp(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// msgID is RFC 5322 §3.6.4's msg-id without obsolete forms: dot-atom-text "@"
// (dot-atom-text / no-fold-literal).
var msgID = lazyRegexp(`^<[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+)*@` +
	`([A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+)*|\[[!-Z^-~]*\])>$`)

// msgIDs splits a field body into msg-ids, or returns nil if any token is not one.
func msgIDs(v string) []string {
	var out []string
	for _, f := range strings.Fields(v) {
		if !msgID().MatchString(f) {
			return nil
		}
		out = append(out, f)
	}
	return out
}

// mimeHeader is the subset of header fields an entity needs.
type mimeHeader map[string][]string

func (h mimeHeader) get(k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c *checker) entity(path string, h mimeHeader, body []byte, depth int) {
	where := "message"
	if path != "" {
		where = "part " + path
	}
	if depth > 20 {
		c.add("%s: multiparts nested more than 20 deep", where)
		return
	}
	mediaType, params := "text/plain", map[string]string{"charset": "us-ascii"}
	if v := h.get("Content-Type"); v != "" {
		mt, p, err := mime.ParseMediaType(v)
		if err != nil {
			c.add("%s: Content-Type %.100q: %v", where, v, err)
			return
		}
		mediaType, params = mt, p
	}
	cte := strings.ToLower(strings.TrimSpace(h.get("Content-Transfer-Encoding")))
	if strings.HasPrefix(mediaType, "multipart/") {
		if cte != "" && cte != "7bit" && cte != "8bit" && cte != "binary" {
			c.add("%s: a multipart with Content-Transfer-Encoding %q", where, cte)
		}
		c.multipart(path, where, params["boundary"], body, depth)
		return
	}
	p := Part{Path: path, MediaType: mediaType, Params: params}
	if v := h.get("Content-Disposition"); v != "" {
		d, dp, err := mime.ParseMediaType(v)
		if err != nil {
			c.add("%s: Content-Disposition %.100q: %v", where, v, err)
		} else {
			p.Disposition, p.Filename = d, dp["filename"]
			if d != "inline" && d != "attachment" {
				c.add("%s: disposition %q", where, d)
			}
		}
	}
	if p.Filename == "" {
		p.Filename = params["name"]
	}
	if p.Disposition == "attachment" && p.Filename == "" {
		c.add("%s: an attachment with no file name", where)
	}
	decoded, err := decodeBody(cte, body)
	if err != nil {
		c.add("%s (%s): %v", where, mediaType, err)
	}
	p.Body = decoded
	if strings.HasPrefix(mediaType, "text/") {
		switch cs := strings.ToLower(params["charset"]); cs {
		case "", "us-ascii":
			for _, b := range decoded {
				if b >= 0x80 {
					c.add("%s (%s): 8-bit text with no charset or charset us-ascii", where, mediaType)
					break
				}
			}
		case "utf-8":
			if !utf8.Valid(decoded) {
				c.add("%s (%s): charset utf-8 but the text is not valid UTF-8", where, mediaType)
			}
		}
	}
	if mediaType == "text/calendar" && params["method"] == "" && p.Disposition != "attachment" {
		c.add("%s: an inline text/calendar without a method parameter (RFC 6047 §2.4)", where)
	}
	c.parts = append(c.parts, p)
}

// bchars are the characters RFC 2046 §5.1.1 allows in a boundary.
var boundaryRe = lazyRegexp(`^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$`)

func (c *checker) multipart(path, where, boundary string, body []byte, depth int) {
	if boundary == "" {
		c.add("%s: multipart without a boundary", where)
		return
	}
	if !boundaryRe().MatchString(boundary) {
		c.add("%s: boundary %q is not 1–70 of RFC 2046's characters", where, boundary)
		return
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	n := 0
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.add("%s: multipart: %v", where, err)
			return
		}
		n++
		data, err := io.ReadAll(part)
		if err != nil {
			c.add("%s: part %d: %v", where, n, err)
			return
		}
		sub := fmt.Sprint(n)
		if path != "" {
			sub = path + "." + sub
		}
		c.entity(sub, mimeHeader(part.Header), data, depth+1)
	}
	if n == 0 {
		c.add("%s: multipart with no parts", where)
	}
}

// decodeBody undoes a transfer encoding, strictly.
func decodeBody(cte string, body []byte) ([]byte, error) {
	switch cte {
	case "", "7bit":
		for _, b := range body {
			if b >= 0x80 || b == 0 {
				return body, errors.New("7bit body holds an 8-bit or NUL octet")
			}
		}
		return body, nil
	case "8bit", "binary":
		if cte == "8bit" && bytes.IndexByte(body, 0) >= 0 {
			return body, errors.New("8bit body holds a NUL octet")
		}
		return body, nil
	case "quoted-printable":
		if err := maxLen(body, 76); err != nil {
			return nil, fmt.Errorf("quoted-printable: %w", err)
		}
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return out, fmt.Errorf("quoted-printable: %w", err)
		}
		return out, nil
	case "base64":
		if err := maxLen(body, 76); err != nil {
			return nil, fmt.Errorf("base64: %w", err)
		}
		clean := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, body)
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Strict().Decode(out, clean)
		if err != nil {
			return out[:n], fmt.Errorf("base64: %w", err)
		}
		return out[:n], nil
	default:
		return body, fmt.Errorf("unknown Content-Transfer-Encoding %q", cte)
	}
}

// maxLen reports a line longer than n octets (RFC 2045 §6.7 and §6.8).
func maxLen(body []byte, n int) error {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for i := 1; sc.Scan(); i++ {
		if l := len(bytes.TrimSuffix(sc.Bytes(), []byte("\r"))); l > n {
			return fmt.Errorf("line %d is %d characters, more than %d", i, l, n)
		}
	}
	return sc.Err()
}
