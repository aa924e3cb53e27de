package tracker_test

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// A referral that arrives deep in a long thread (60 earlier messages in References)
// is acknowledged, and the acknowledgement goes through a real SMTP server and the
// strict reader (the sink fails the test on any header line over 998 octets): its
// References keep the thread's first and last identifiers and ours is findable in
// a reply. Issue 8.7: before, the whole chain went on one unfolded line, the server
// refused the message and it was marked permanently failed.
func TestAcknowledgementInALongThread(t *testing.T) {
	ctx := context.Background()
	cfg := tracker.Config{
		Partnership: tracker.Partnership{Name: "Lewisham Safeguarding Children Partnership", Email: "safeguardingpartnership@lewisham.gov.uk"},
		From:        "Lewisham Safeguarding Children Partnership <safeguardingpartnership@lewisham.gov.uk>",
		Staff:       []tracker.Person{{Name: "Lead", Email: "strategic.lead@lewisham.gov.uk"}},
		Agencies: []tracker.DirectoryAgency{
			{Name: "Lewisham Children's Social Care", Email: "csc@lewisham.gov.uk", Partner: "local_authority"},
			{Name: "Metropolitan Police Service", Email: "lead@met.example", Partner: "police"},
			{Name: "Lewisham and Greenwich NHS Trust", Email: "safeguarding@lgt.example"},
		},
		MessageIDDomain: "lewisham.gov.uk",
	}
	tr, sink, smtp := newSendingTracker(t, cfg)
	var refs []string
	for i := range 60 {
		refs = append(refs, fmt.Sprintf("CAKx%03d+reply.%032x@mail.gmail.com", i, i*7919))
	}
	in := &tracker.Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 1, ReceivedAt: now(),
		MessageID: "CAKx060+referral@mail.gmail.com", From: "Dr Sam Example <safeguarding@lgt.example>",
		Subject: "RE: RE: RE: Referral", InReplyTo: refs[59], References: refs,
		Attachments: []tracker.InAttachment{{
			Attachment: tracker.Attachment{Name: "referral.docx", Data: []byte("PK")},
			Form: &tracker.Form{Kind: tracker.FormReferral, Fields: map[string]string{
				"child_name": "Ellie Testcase", "incident_date": "2026-12-05", "incident_kind": "serious_harm",
				"looked_after": "no", "date_of_referral": "2026-12-07", "referrer_name": "Dr Sam Example",
				"referrer_agency": "Lewisham and Greenwich NHS Trust",
			}},
		}},
	}
	if _, err := tr.Ingest(ctx, in); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := tr.SendDue(ctx, smtp); err != nil {
			t.Fatal(err)
		}
	}
	var ack []byte
	for _, m := range sink.Messages() {
		if len(m.To) == 1 && m.To[0] == "safeguarding@lgt.example" {
			ack = m.Data
		}
	}
	if ack == nil {
		ob, _ := tr.Outbox(ctx)
		t.Fatalf("no acknowledgement reached the referrer; sink has %d messages; outbox %+v", len(sink.Messages()), ob)
	}
	for i, l := range bytes.Split(ack, []byte("\r\n")) {
		if len(l) > 998 {
			t.Errorf("line %d of the acknowledgement is %d octets", i+1, len(l))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(ack))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(msg.Header.Get("References"))
	if len(got) != mailbox.MaxReferences || got[0] != "<"+refs[0]+">" || got[len(got)-1] != "<"+in.MessageID+">" {
		t.Errorf("References = %v, want the thread's first id, then the last %d ending with the referral's", got, mailbox.MaxReferences-1)
	}
	if irt := msg.Header.Get("In-Reply-To"); irt != "<"+in.MessageID+">" {
		t.Errorf("In-Reply-To = %q", irt)
	}
	if ob, _ := tr.Outbox(ctx); len(ob) > 0 {
		for _, e := range ob {
			if e.Status == "failed" {
				t.Errorf("outbox has a failed email: %+v", e)
			}
		}
	}
}
