package mailbox

import (
	"bytes"
	"strings"

	"github.com/emersion/go-ical"
)

// CalendarReply is an attendee's answer to a meeting request (iMIP, RFC 6047: an
// iCalendar object with METHOD:REPLY): who answered, what, about which event.
type CalendarReply struct {
	UID      string
	Sequence int
	Attendee string // the attendee's address, lowercased
	PartStat string // ACCEPTED, DECLINED, TENTATIVE, DELEGATED, NEEDS-ACTION
}

// ReadCalendarReply reads a METHOD:REPLY calendar object, as Outlook, Exchange, Gmail and
// others send one when an invitee answers. It uses go-ical, a parser of the full RFC 5545
// grammar (folding, parameters, escaping) that other people's calendars need. ok is false
// when data is not a reply.
func ReadCalendarReply(data []byte) (r CalendarReply, ok bool) {
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil || cal == nil {
		return r, false
	}
	if m, err := cal.Props.Text(ical.PropMethod); err != nil || !strings.EqualFold(m, "REPLY") {
		return r, false
	}
	for _, ev := range cal.Events() {
		uid, err := ev.Props.Text(ical.PropUID)
		if err != nil || uid == "" {
			continue
		}
		r.UID = uid
		if p := ev.Props.Get(ical.PropSequence); p != nil {
			r.Sequence, _ = p.Int()
		}
		for _, a := range ev.Props.Values(ical.PropAttendee) {
			addr := strings.ToLower(strings.TrimSpace(a.Value))
			if i := strings.Index(addr, "mailto:"); i >= 0 {
				addr = addr[i+len("mailto:"):]
			}
			if addr == "" {
				continue
			}
			r.Attendee = addr
			r.PartStat = strings.ToUpper(a.Params.Get(ical.ParamParticipationStatus))
			if r.PartStat == "" {
				r.PartStat = "NEEDS-ACTION"
			}
			return r, true
		}
	}
	return r, false
}
