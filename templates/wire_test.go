package templates

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/mailbox/mailtest"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// thread is a long reply chain, as an acknowledgement deep in a thread carries it.
func thread(n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("CAJ%03d.reply.%032x@mail.gmail.com", i, i))
	}
	return ids
}

// wireEmail is the email the tracker's outbox makes of a rendered template: From the
// partnership, to the agency with a copy, in reply to a 60-message thread, with the
// tracker's own headers.
func wireEmail(name string, d *cspr.MailData, r cspr.Rendered) *cspr.OutEmail {
	refs := thread(60)
	return &cspr.OutEmail{
		MessageID: "LSCP-2026-001." + strings.ReplaceAll(name, "_", "-") + ".5f3a9c@lewisham.gov.uk",
		From:      d.Partnership.Name + " <" + d.Partnership.Email + ">",
		To:        []string{"Metropolitan Police Service <safeguarding.lead@met.example>"},
		Cc:        []string{`"Zoë Ødegård, Head of Service" <strategic.lead@lewisham.gov.uk>`},
		Subject:   r.Subject, Text: r.Text, HTML: r.HTML, Attachments: r.Attachments,
		InReplyTo: refs[len(refs)-1], References: refs,
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "X-Csprbot-Loop": "lewisham.gov.uk"},
		Date:    d.Now,
	}
}

// TestWire renders every template's golden cases as the email that goes on the wire
// and reads each with the independent reader: the standard library's strict MIME
// reading and go-ical for the invitations. The shape of each (every header, and every
// part's header, bodies left out) is compared with testdata/wire/NAME.golden.
func TestWire(t *testing.T) {
	s := newSet(t)
	for _, tc := range goldenCases {
		t.Run(tc.golden, func(t *testing.T) {
			d := fixture()
			if tc.edit != nil {
				tc.edit(d)
			}
			r, err := s.Render(tc.tmpl, d)
			if err != nil {
				t.Fatalf("Render(%s) = %v", tc.tmpl, err)
			}
			e := wireEmail(tc.golden, d, r)
			raw, err := mailbox.RenderMessage(e)
			if err != nil {
				t.Fatalf("mailbox.RenderMessage = %v", err)
			}
			mailtest.Assert(t, tc.golden, raw)
			again, _ := mailbox.RenderMessage(e)
			if !bytes.Equal(raw, again) {
				t.Error("two renderings of the same email differ")
			}
			got := skeleton(raw)
			path := filepath.Join("testdata", "wire", tc.golden+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./templates -update)", err)
			}
			if got != string(want) {
				t.Errorf("the wire form of %s differs from %s:\n%s", tc.golden, path, diff(string(want), got))
			}
		})
	}
}

// skeleton is a rendered message with every body replaced by its size: the header,
// each part's header and the boundaries, with LF line ends.
func skeleton(raw []byte) string {
	var b strings.Builder
	lines := strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n")
	inHeader, body := true, 0
	flush := func() {
		if body > 0 {
			fmt.Fprintf(&b, "[%d lines]\n", body)
			body = 0
		}
	}
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "--=_csprbot_"):
			flush()
			b.WriteString(l + "\n")
			inHeader = !strings.HasSuffix(l, "--")
		case inHeader:
			b.WriteString(l + "\n")
			inHeader = l != ""
		default:
			body++
		}
	}
	flush()
	return b.String()
}
