package templates

import (
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// The answer to the MESI subgroup's reply (issue 10) says what csprbot recorded, in its own
// subject, and that the case closed when it did; the request asks the subgroup to reply.
func TestActionSignOffReply(t *testing.T) {
	s := newSet(t)
	d := fixture()
	d.Reason = "csprbot recorded the MESI subgroup's sign-off: signed off: A2; every action of the action plan evidenced and signed off (2027-08-11): case closed"
	d.Case.Stage = "closed"
	d.LCSPR = &cspr.LCSPRView{Notice: "signoff_reply", Kind: cspr.ReturnActionEvidence, Key: "A2"}
	r, err := s.Render(cspr.TmplActionSignOff, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Subject, "Action plan sign-off: your reply") || strings.Contains(r.Subject, "to sign off") {
		t.Errorf("subject = %q", r.Subject)
	}
	for _, want := range []string{"Thank you for your reply. csprbot recorded the MESI subgroup's sign-off: signed off: A2", "the case is closed"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.Text)
		}
	}
	if strings.Contains(r.Text, "has sent evidence") {
		t.Errorf("the answer repeats the request:\n%s", r.Text)
	}
	d = fixture()
	d.LCSPR = &cspr.LCSPRView{Kind: cspr.ReturnActionEvidence, Item: "A2: Audit", Key: "A2"}
	if r, err = s.Render(cspr.TmplActionSignOff, d); err != nil || !strings.Contains(r.Text, `please reply to this email saying "Signed off"`) {
		t.Errorf("request (%v):\n%s", err, r.Text)
	}
}
