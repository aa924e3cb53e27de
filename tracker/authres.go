package tracker

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/textproto"
	"strings"
)

// AuthResults is one Authentication-Results header (RFC 8601): the server that wrote it
// and what each method found.
type AuthResults struct {
	ServID  string
	Results []AuthResult
}

// AuthResult is one method's result: dkim=pass header.d=example.org.
type AuthResult struct {
	Method string            // dkim, spf, dmarc, arc, ... (lower case, version dropped)
	Result string            // pass, fail, none, ... (lower case)
	Reason string            // reason=, if given
	Props  map[string]string // "header.d" → "example.org"; keys lower case
}

// ParseAuthResults parses the value of one Authentication-Results header. Comments are
// dropped, quoted strings unquoted; a result it cannot read is skipped rather than
// guessed at.
func ParseAuthResults(v string) (AuthResults, error) {
	var ar AuthResults
	parts := splitOutsideQuotes(stripComments(v), isSemicolon)
	if len(parts) == 0 {
		return ar, errors.New("authentication-results: empty")
	}
	head := strings.Fields(parts[0])
	if len(head) == 0 {
		return ar, errors.New("authentication-results: no authserv-id")
	}
	ar.ServID = strings.ToLower(unquote(head[0]))
	for _, p := range parts[1:] {
		toks := tokens(p)
		if len(toks) == 0 {
			continue
		}
		method, result, ok := strings.Cut(toks[0], "=")
		if !ok {
			continue // "none", or something we cannot read
		}
		method, _, _ = strings.Cut(method, "/")
		r := AuthResult{Method: strings.ToLower(strings.TrimSpace(method)), Result: strings.ToLower(unquote(result)), Props: map[string]string{}}
		for _, tk := range toks[1:] {
			k, val, ok := strings.Cut(tk, "=")
			if !ok {
				continue
			}
			k = strings.ToLower(strings.TrimSpace(k))
			val = unquote(val)
			if k == "reason" {
				r.Reason = val
				continue
			}
			if strings.Contains(k, ".") {
				r.Props[k] = val
			}
		}
		ar.Results = append(ar.Results, r)
	}
	return ar, nil
}

// stripComments removes (comments), which may nest, outside quoted strings.
func stripComments(s string) string {
	var b strings.Builder
	depth, quoted, esc := 0, false, false
	for _, r := range s {
		switch {
		case esc:
			esc = false
			if depth == 0 {
				b.WriteRune(r)
			}
			continue
		case r == '\\':
			esc = true
			if depth == 0 {
				b.WriteRune(r)
			}
			continue
		case quoted:
			if r == '"' {
				quoted = false
			}
			b.WriteRune(r)
			continue
		case r == '"' && depth == 0:
			quoted = true
		case r == '(':
			depth++
			continue
		case r == ')' && depth > 0:
			depth--
			if depth == 0 {
				b.WriteRune(' ')
			}
			continue
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// splitOutsideQuotes splits s at every rune for which isSep is true, except inside a
// quoted string (with backslash escapes).
func splitOutsideQuotes(s string, isSep func(rune) bool) []string {
	var out []string
	var b strings.Builder
	quoted, esc := false, false
	for _, r := range s {
		switch {
		case esc:
			esc = false
		case r == '\\':
			esc = true
		case r == '"':
			quoted = !quoted
		case !quoted && isSep(r):
			out = append(out, b.String())
			b.Reset()
			continue
		}
		b.WriteRune(r)
	}
	return append(out, b.String())
}

func isSemicolon(r rune) bool { return r == ';' }

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// tokens splits a resinfo into whitespace-separated tokens, keeping "a = b" together
// as "a=b" and quoted strings whole.
func tokens(s string) []string {
	var raw []string
	for _, f := range splitOutsideQuotes(s, isSpace) {
		if f != "" {
			raw = append(raw, f)
		}
	}
	var out []string
	for i := 0; i < len(raw); i++ {
		t := raw[i]
		switch {
		case t == "=" && len(out) > 0 && i+1 < len(raw):
			out[len(out)-1] += "=" + raw[i+1]
			i++
		case strings.HasSuffix(t, "=") && i+1 < len(raw) && !strings.Contains(strings.TrimSuffix(t, "="), "="):
			out = append(out, t+raw[i+1])
			i++
		case strings.HasPrefix(t, "=") && len(out) > 0:
			out[len(out)-1] += t
		default:
			out = append(out, t)
		}
	}
	return out
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
		s = strings.ReplaceAll(s, `\"`, `"`)
		s = strings.ReplaceAll(s, `\\`, `\`)
	}
	return s
}

// authPass reports whether the receiving server we trust says the message's From domain
// passed DKIM (a signature with header.d = that domain) or DMARC (header.from = that
// domain). Only the first (newest) header carrying the trusted authserv-id counts: a
// sender can write any header of its own below it.
//
// With TrustExchangeInternal, a message Exchange marked as sent from inside the
// partnership's own organisation passes too (see exchangeInternal).
func (t *Tracker) authPass(in *Incoming) (bool, string) {
	var internalWhy string
	if t.cfg.TrustExchangeInternal {
		ok, why := exchangeInternal(in.head())
		if ok {
			return true, why
		}
		internalWhy = "; " + why
	}
	ok, why := t.authResultsPass(in)
	return ok, why + internalWhy
}

// authResultsPass is authPass by Authentication-Results alone.
func (t *Tracker) authResultsPass(in *Incoming) (bool, string) {
	trusted := strings.ToLower(strings.TrimSpace(t.cfg.TrustedAuthServID))
	if trusted == "" {
		return false, "no trusted authentication server is configured (mail.trusted_authserv_id)"
	}
	dom := domainOf(in.From)
	if dom == "" {
		return false, "the From address has no domain"
	}
	for _, h := range in.AuthResults {
		ar, err := ParseAuthResults(h)
		if err != nil || ar.ServID != trusted {
			continue
		}
		for _, r := range ar.Results {
			if r.Result != "pass" {
				continue
			}
			switch r.Method {
			case "dkim":
				if strings.EqualFold(strings.TrimPrefix(r.Props["header.d"], "@"), dom) {
					return true, "DKIM pass for " + dom + " (" + trusted + ")"
				}
			case "dmarc":
				if strings.EqualFold(r.Props["header.from"], dom) {
					return true, "DMARC pass for " + dom + " (" + trusted + ")"
				}
			}
		}
		return false, "the trusted server " + trusted + " found no DKIM or DMARC pass for " + dom
	}
	if len(in.AuthResults) == 0 {
		return false, "the message carries no Authentication-Results"
	}
	return false, "no Authentication-Results from the trusted server " + trusted
}

// exchangeAuthAs is the header Exchange (Online and on-premises) stamps on every message
// with how its sender was authenticated: "Internal" for someone signed in to the
// organisation (or a connector it trusts as internal), "Anonymous" for mail from the
// internet.
const exchangeAuthAs = "X-Ms-Exchange-Organization-Authas"

// exchangeInternal reports whether Exchange marked the message as sent from inside the
// organisation. Inside one Microsoft 365 tenant, staff mail to the partnership's mailbox
// carries no DKIM signature, so this is the only proof of origin it has.
//
// The header can be trusted because of Exchange's "header firewall": Exchange removes
// Exchange-related X-headers (X-MS-Exchange-Organization-*) from messages that enter the
// organisation from untrusted sources, so that they cannot be spoofed, and stamps its own
// (Microsoft, "Header firewall", Exchange Server 2013,
// https://technet.microsoft.com/en-us/library/bb232136(v=exchg.149).aspx; Exchange
// Online's transport is the same service). On mail read from the partnership's own
// Exchange mailbox the header is therefore Exchange's word, not the sender's. It is only
// as good as the tenant's connectors: an inbound connector set to treat a partner's mail
// as internal makes that mail internal too, so turn this on only for a tenant whose
// connectors you know.
// Every value present must say Internal; anything else, or none, is not a pass.
func exchangeInternal(raw []byte) (bool, string) {
	if len(raw) == 0 {
		return false, "the message's headers are not available to check Exchange's X-MS-Exchange-Organization-AuthAs"
	}
	// The header section only, and at most 1 MiB of it.
	r := textproto.NewReader(bufio.NewReader(io.LimitReader(bytes.NewReader(raw), 1<<20)))
	h, err := r.ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return false, "the message's headers could not be read for X-MS-Exchange-Organization-AuthAs"
	}
	vals := h[exchangeAuthAs]
	if len(vals) == 0 {
		return false, "Exchange did not mark it internal (no X-MS-Exchange-Organization-AuthAs)"
	}
	for _, v := range vals {
		if !strings.EqualFold(strings.TrimSpace(v), "Internal") {
			return false, "Exchange marked it X-MS-Exchange-Organization-AuthAs: " + strings.TrimSpace(v) + ", not Internal"
		}
	}
	return true, "Exchange marked it internal to the organisation (X-MS-Exchange-Organization-AuthAs: Internal)"
}
