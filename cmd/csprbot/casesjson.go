package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// writeCasesJSON prints cases as writeJSON would (encoding/json, two-space indent), byte
// for byte, without reflection or a second pass to indent: with 10,000 cases that is tens
// of megabytes, written a block of cases at a time, the blocks made on every core and
// written in order. TestCasesJSONMatchesEncodingJSON holds the two together, so a field
// added to tracker.CaseSummary, Deadline or Return must be added here too.
func writeCasesJSON(w io.Writer, cs []tracker.CaseSummary) error {
	switch {
	case cs == nil:
		_, err := io.WriteString(w, "null\n")
		return err
	case len(cs) == 0:
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	// Block k is cases [k*blockCases, (k+1)*blockCases): "[" or "," before each case, each
	// at one level of indent; the last ends the list.
	blocks := make([]jsonBlock, (len(cs)+blockCases-1)/blockCases)
	for k := range blocks {
		blocks[k].done = make(chan struct{})
	}
	var stop atomic.Bool
	free := make(chan []byte, 2*runtime.GOMAXPROCS(0)) // blocks made and not yet written
	for range cap(free) {
		free <- make([]byte, 0, 1<<20)
	}
	go func() {
		for k := range blocks {
			b := <-free
			go func() {
				defer close(blocks[k].done)
				if stop.Load() {
					return
				}
				e := jsonWriter{b: b[:0]}
				lo, hi := k*blockCases, min((k+1)*blockCases, len(cs))
				for i := lo; i < hi; i++ {
					if i == 0 {
						e.raw("[")
					} else {
						e.raw(",")
					}
					e.nl(1)
					e.caseSummary(&cs[i], 1)
				}
				if hi == len(cs) {
					e.nl(0)
					e.raw("]\n")
				}
				blocks[k].b, blocks[k].err = e.b, e.err
			}()
		}
	}()
	var err error
	for k := range blocks {
		<-blocks[k].done
		if err == nil {
			if err = blocks[k].err; err == nil {
				_, err = w.Write(blocks[k].b)
			}
			if err != nil {
				stop.Store(true)
			}
		}
		free <- blocks[k].b
	}
	return err
}

// blockCases is how many cases a block of writeCasesJSON holds: some hundreds of
// kilobytes.
const blockCases = 200

type jsonBlock struct {
	b    []byte
	err  error
	done chan struct{}
}

type jsonWriter struct {
	b   []byte
	err error
}

func (e *jsonWriter) raw(s string) { e.b = append(e.b, s...) }

// nl starts a new line at depth levels of indent.
func (e *jsonWriter) nl(depth int) {
	e.b = append(e.b, '\n')
	for i := 0; i < depth; i++ {
		e.b = append(e.b, ' ', ' ')
	}
}

// key starts a member: a comma after the one before, a new line, the quoted name.
func (e *jsonWriter) key(first *bool, depth int, name string) {
	if !*first {
		e.b = append(e.b, ',')
	}
	*first = false
	e.nl(depth)
	e.b = append(e.b, '"')
	e.b = append(e.b, name...)
	e.b = append(e.b, '"', ':', ' ')
}

func (e *jsonWriter) str(s string) { e.b = appendJSONString(e.b, s) }

// time is time.Time's MarshalJSON.
func (e *jsonWriter) time(t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		if e.err == nil {
			e.err = fmt.Errorf("json: error calling MarshalJSON for type time.Time: year outside of range [0,9999]")
		}
		return
	}
	e.b = append(e.b, '"')
	if t.Location() == time.UTC && t.Nanosecond() == 0 {
		e.b = appendUTCSecond(e.b, t) // every time the store holds
	} else {
		e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	}
	e.b = append(e.b, '"')
}

// appendUTCSecond is t.AppendFormat(b, time.RFC3339Nano) for a UTC time of whole seconds
// in years 0 to 9999, "2026-12-21T09:00:00Z", written digit by digit: the list prints
// hundreds of thousands.
func appendUTCSecond(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append(b, byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T')
	b = append(b, byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':', byte('0'+sec/10), byte('0'+sec%10), 'Z')
	return b
}

func (e *jsonWriter) bool(v bool) { e.b = strconv.AppendBool(e.b, v) }

func (e *jsonWriter) caseSummary(c *tracker.CaseSummary, depth int) {
	e.raw("{")
	first := true
	d := depth + 1
	e.key(&first, d, "ref")
	e.str(c.Ref)
	e.key(&first, d, "stage")
	e.str(c.Stage)
	e.key(&first, d, "child_initials")
	e.str(c.ChildInitials)
	e.key(&first, d, "referral_received")
	e.time(c.ReferralReceived)
	e.key(&first, d, "needs_completion")
	e.bool(c.NeedsCompletion)
	e.key(&first, d, "next_deadline")
	if c.NextDeadline == nil {
		e.raw("null")
	} else {
		e.deadline(c.NextDeadline, d)
	}
	e.key(&first, d, "overdue_returns")
	if c.OverdueReturns == nil {
		e.raw("null")
	} else if len(c.OverdueReturns) == 0 {
		e.raw("[]")
	} else {
		e.raw("[")
		for i, s := range c.OverdueReturns {
			if i > 0 {
				e.raw(",")
			}
			e.nl(d + 1)
			e.str(s)
		}
		e.nl(d)
		e.raw("]")
	}
	e.key(&first, d, "deadlines")
	if c.Deadlines == nil {
		e.raw("null")
	} else if len(c.Deadlines) == 0 {
		e.raw("[]")
	} else {
		e.raw("[")
		for i := range c.Deadlines {
			if i > 0 {
				e.raw(",")
			}
			e.nl(d + 1)
			e.deadline(&c.Deadlines[i], d+1)
		}
		e.nl(d)
		e.raw("]")
	}
	e.key(&first, d, "returns")
	if c.Returns == nil {
		e.raw("null")
	} else if len(c.Returns) == 0 {
		e.raw("[]")
	} else {
		e.raw("[")
		for i := range c.Returns {
			if i > 0 {
				e.raw(",")
			}
			e.nl(d + 1)
			e.ret(&c.Returns[i], d+1)
		}
		e.nl(d)
		e.raw("]")
	}
	e.nl(depth)
	e.raw("}")
}

func (e *jsonWriter) deadline(dl *tracker.Deadline, depth int) {
	e.raw("{")
	first := true
	d := depth + 1
	e.key(&first, d, "rule")
	e.str(dl.Rule)
	if dl.Agency != "" {
		e.key(&first, d, "agency")
		e.str(dl.Agency)
	}
	e.key(&first, d, "due")
	e.time(dl.Due)
	e.key(&first, d, "status")
	e.str(dl.Status)
	if dl.MetAt != nil {
		e.key(&first, d, "met_at")
		e.time(*dl.MetAt)
	}
	if dl.Note != "" {
		e.key(&first, d, "note")
		e.str(dl.Note)
	}
	e.nl(depth)
	e.raw("}")
}

func (e *jsonWriter) ret(r *tracker.Return, depth int) {
	e.raw("{")
	first := true
	d := depth + 1
	e.key(&first, d, "agency")
	e.str(r.Agency)
	e.key(&first, d, "email")
	e.str(r.Email)
	e.key(&first, d, "requested_at")
	e.time(r.RequestedAt)
	e.key(&first, d, "due")
	e.time(r.Due)
	e.key(&first, d, "received_at")
	if r.Received == nil {
		e.raw("null")
	} else {
		e.time(*r.Received)
	}
	e.key(&first, d, "status")
	e.str(r.Status)
	e.key(&first, d, "chasers_sent")
	e.b = strconv.AppendInt(e.b, int64(r.ChasersSent), 10)
	if r.Note != "" {
		e.key(&first, d, "note")
		e.str(r.Note)
	}
	e.key(&first, d, "kind")
	e.str(r.Kind)
	if r.Item != "" {
		e.key(&first, d, "item")
		e.str(r.Item)
	}
	if r.What != "" {
		e.key(&first, d, "what")
		e.str(r.What)
	}
	e.nl(depth)
	e.raw("}")
}

// appendJSONString is encoding/json's string encoding with HTML escaping, its default:
// <, > and & escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	dst = append(dst, '"')
	return dst
}
