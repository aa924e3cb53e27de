package main

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
)

// The local review's documents for csprbot demo --lcspr: the Terms of Reference, a
// police chronology and the action plan, as staff and agencies send them.
var (
	//go:embed lcsprdemo/terms-of-reference.docx
	demoToR []byte
	//go:embed lcsprdemo/chronology-met.docx
	demoChronology []byte
	//go:embed lcsprdemo/action-plan.docx
	demoActionPlan []byte
)

// playLCSPR carries the demo's case past the Rapid Review (recommendation b) through the
// local review to the action plan's closure, every step by email as staff and agencies
// would send it.
func (d *demo) playLCSPR(ctx context.Context) error {
	cs, err := d.a.store.Cases(ctx)
	if err != nil || len(cs) == 0 {
		return fmt.Errorf("demo: no case to carry on (%v)", err)
	}
	ref := cs[0].Ref
	staff := d.a.cfg.Staff[0].Email
	police, csc, icb := "safeguarding.lead@met.example", "csc.safeguarding@lewisham.gov.uk", "safeguarding.children@selondon-icb.example"
	fmt.Fprintf(d.w, "\n--- The local review (LCSPR), decided when the submission was approved ---\n")
	cmd := func(when, what, body string, attach ...[]byte) error {
		m := demoMail{from: staff, subject: "Re: [" + ref + "] Your commands", inReplyTo: d.idOf(staff), body: body}
		if len(attach) > 0 {
			m.attachName, m.attach = string(attach[1]), attach[0]
		}
		return d.step(ctx, when, what, m)
	}
	steps := []func() error{
		func() error {
			return cmd("2027-01-11 10:00", "The lead emails the agreed Terms of Reference (Appendix 6); csprbot replies with what it read.", "The agreed Terms of Reference.",
				demoToR, []byte("terms-of-reference.docx"))
		},
		func() error {
			return cmd("2027-01-11 10:30", "The lead confirms: the timetable becomes deadlines, chronologies and agency reports are requested, the lead reviewer notice is prepared (held).", "Confirm terms")
		},
		func() error {
			return cmd("2027-01-11 11:00", "The lead approves the lead reviewer notice: it goes to the National Panel, Ofsted and the DfE, once.", "Approve: reviewer")
		},
		func() error {
			return d.step(ctx, "2027-01-20 11:00", "The police send their chronology.",
				demoMail{from: police, subject: "RE: [" + ref + "] Local review request", inReplyTo: d.idOfSubject(police, "Information-Sharing Chronology"),
					body: "Our chronology is attached.", attachName: "met-chronology.docx", attach: demoChronology})
		},
		func() error {
			return cmd("2027-01-21 09:00", "The panel sends it back for more.", "More information: Metropolitan Police Service by 2027-02-01: the custody record of 3 October is missing")
		},
		func() error {
			return d.step(ctx, "2027-01-26 09:00", "Tuesday 09:00: chronologies due yesterday are chased.")
		},
		func() error {
			return cmd("2027-02-01 09:00", "The lead sets the practitioner learning event; invitations with a calendar request go out.", "Learning event: 2027-03-10 10:00 at Laurence House, Catford")
		},
		func() error {
			return d.step(ctx, "2027-02-02 10:00", "The police accept; Children's Social Care registers; the ICB declines.",
				demoMail{from: police, subject: "Accepted: [" + ref + "] Practitioner learning event", inReplyTo: d.idOfSubject(police, "Practitioner learning event"), body: "Accepted."},
				demoMail{from: csc, subject: "RE: [" + ref + "] Practitioner learning event", inReplyTo: d.idOfSubject(csc, "Practitioner learning event"), body: "I would like to attend, with two social workers."},
				demoMail{from: icb, subject: "Declined: [" + ref + "] Practitioner learning event", inReplyTo: d.idOfSubject(icb, "Practitioner learning event"), body: "Declined."})
		},
		func() error {
			return d.step(ctx, "2027-03-03 09:00", "A week before: reminders to everyone who has not declined.")
		},
		func() error {
			return d.step(ctx, "2027-04-23 09:00", "Eight weeks before the six months run out: staff are warned.")
		},
		func() error {
			return cmd("2027-05-24 09:00", "The lead sends the final report for publication on Wed 2 Jun: too close (7 working days, 31 May is a bank holiday), refused with the earliest lawful date.",
				"Final report: publish 2027-06-02", []byte("PK final report"), []byte("final-report.docx"))
		},
		func() error {
			return cmd("2027-05-24 09:30", "Again, for Thu 10 Jun: accepted; the copies to the Panel, Ofsted and the DfE wait for approval.",
				"Final report: publish 2027-06-10", []byte("PK final report"), []byte("final-report.docx"))
		},
		func() error {
			return cmd("2027-05-24 10:00", "The lead approves the final report copies.", "Approve: final report")
		},
		func() error {
			return cmd("2027-06-10 12:00", "Published: the NSPCC submission is prepared (held).", "Published: 2027-06-10 https://www.safeguardinglewisham.org.uk/cspr")
		},
		func() error {
			return cmd("2027-06-10 12:30", "The lead approves the NSPCC submission.", "Approve: nspcc")
		},
		func() error {
			return cmd("2027-06-17 09:00", "The lead sends the multi-agency action plan: each owner is asked for evidence.", "The action plan.",
				demoActionPlan, []byte("action-plan.docx"))
		},
		func() error {
			return d.step(ctx, "2027-07-20 11:00", "The police send evidence for their action; it goes to the MESI subgroup to sign off.",
				demoMail{from: police, subject: "RE: [" + ref + "] Local review request", inReplyTo: d.idOfSubject(police, "Local review request"),
					body: "Training delivered on 12 July; attendance list attached.", attachName: "attendance.docx", attach: []byte("PK attendance")})
		},
		func() error {
			return d.step(ctx, "2027-08-13 11:00", "Children's Social Care sends its evidence.",
				demoMail{from: csc, subject: "RE: [" + ref + "] Local review request", inReplyTo: d.idOfSubject(csc, "Local review request"),
					body: "The audit report is attached.", attachName: "audit.docx", attach: []byte("PK audit")})
		},
		func() error {
			return cmd("2027-08-16 09:00", "The MESI subgroup has signed both off: the case closes.", "Signed off: all")
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	lines, err := d.a.tr.Timeline(ctx, ref)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.w, "\nThe journey of %s:\n  %s\n", ref, strings.Join(lines, "\n  "))
	return nil
}

// idOfSubject finds the Message-ID of the last email we sent to addr whose subject has sub.
func (d *demo) idOfSubject(addr, sub string) string {
	msgs := d.srv.smtp.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, to := range msgs[i].To {
			if strings.EqualFold(to, addr) && strings.Contains(headerOf(msgs[i].Data, "Subject"), sub) {
				return strings.Trim(msgs[i].MessageID, "<>")
			}
		}
	}
	return d.idOf(addr)
}
