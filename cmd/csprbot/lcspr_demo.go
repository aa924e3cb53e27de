package main

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
)

// The local review's documents for csprbot demo --lcspr, as staff and agencies send them:
// the Terms of Reference, each agency's chronology (Appendix 10) and agency report
// (Appendix 9) for the demo's case LSCP-2026-001 (child ET), the police's chronology again
// with what the panel asked for, and the action plan. lcsprdemo/fixtures_test.go writes the
// chronologies and reports (go test ./cmd/csprbot/lcsprdemo -update) and checks that
// csprbot's parser reads each as the right form, case, child and agency.
var (
	//go:embed lcsprdemo/terms-of-reference.docx
	demoToR []byte
	//go:embed lcsprdemo/chronology-met.docx
	demoChronology []byte
	//go:embed lcsprdemo/chronology-met-revised.docx
	demoChronologyRevised []byte
	//go:embed lcsprdemo/chronology-csc.docx
	demoChronologyCSC []byte
	//go:embed lcsprdemo/chronology-icb.docx
	demoChronologyICB []byte
	//go:embed lcsprdemo/agency-report-met.docx
	demoReportMet []byte
	//go:embed lcsprdemo/agency-report-csc.docx
	demoReportCSC []byte
	//go:embed lcsprdemo/agency-report-icb.docx
	demoReportICB []byte
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
	// send is an agency's reply with a document, in the thread of the last email csprbot
	// sent it whose subject has sub (a request's due date, or "Overdue" for a chaser).
	send := func(from, sub, body, name string, doc []byte) demoMail {
		return demoMail{from: from, subject: "RE: [" + ref + "] Local review request", inReplyTo: d.idOfSubject(from, sub),
			body: body, attachName: name, attach: doc}
	}
	mesi := d.a.cfg.Addresses.MESI
	// signOff is the MESI subgroup's reply to csprbot's request to sign off an agency's evidence.
	signOff := func(agency string) demoMail {
		return demoMail{from: "MESI Subgroup <" + mesi + ">", subject: "RE: [" + ref + "] Action plan evidence to sign off from " + agency,
			inReplyTo: d.idOfSubject(mesi, "from "+agency), body: "Signed off.\n\nMESI Subgroup chair"}
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
			return d.step(ctx, "2027-01-20 11:00", "The police send their chronology (Appendix 10); it is filed and merged into the combined chronology.",
				send(police, "25 January 2027", "Our chronology is attached.", "met-chronology.docx", demoChronology))
		},
		func() error {
			return cmd("2027-01-21 09:00", "The panel checks it: the custody record of 3 October is missing. It is sent back for more, due 1 February.",
				"More information: Metropolitan Police Service by 2027-02-01: the custody record of 3 October is missing")
		},
		func() error {
			return d.step(ctx, "2027-01-22 14:00", "Children's Social Care sends its chronology, on time.",
				send(csc, "25 January 2027", "Please find our chronology attached.", "csc-chronology.docx", demoChronologyCSC))
		},
		func() error {
			return d.step(ctx, "2027-01-26 09:00", "Tuesday 09:00: the ICB's chronology, due yesterday, is chased; the police's is not yet due again.")
		},
		func() error {
			return d.step(ctx, "2027-01-27 10:00", "The ICB sends its chronology in reply to the chaser: late by a day and a half.",
				send(icb, "Overdue", "Apologies for the delay; the GP records took longer to collate.", "icb-chronology.docx", demoChronologyICB))
		},
		func() error {
			return d.step(ctx, "2027-01-29 15:00", "The police send their chronology again, with the custody record: every chronology is in.",
				send(police, "1 February 2027", "Revised chronology attached, with the custody record of 3 October added.", "met-chronology-revised.docx", demoChronologyRevised))
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
			return d.step(ctx, "2027-02-03 16:00", "The police send their agency report (Appendix 9).",
				send(police, "8 February 2027", "Our agency report is attached, authorised by the DCI.", "met-agency-report.docx", demoReportMet))
		},
		func() error {
			return d.step(ctx, "2027-02-05 12:00", "Children's Social Care sends its agency report.",
				send(csc, "8 February 2027", "Agency report attached.", "csc-agency-report.docx", demoReportCSC))
		},
		func() error {
			return d.step(ctx, "2027-02-08 11:30", "The ICB sends its agency report on the day it is due: every chronology and agency report is in.",
				send(icb, "8 February 2027", "Our agency report is attached.", "icb-agency-report.docx", demoReportICB))
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
			return d.step(ctx, "2027-07-22 09:00", "The MESI subgroup replies \"Signed off\" to the request about the police's evidence.",
				signOff("Metropolitan Police Service"))
		},
		func() error {
			return d.step(ctx, "2027-08-13 11:00", "Children's Social Care sends its evidence.",
				demoMail{from: csc, subject: "RE: [" + ref + "] Local review request", inReplyTo: d.idOfSubject(csc, "Local review request"),
					body: "The audit report is attached.", attachName: "audit.docx", attach: []byte("PK audit")})
		},
		func() error {
			return d.step(ctx, "2027-08-16 09:00", "The MESI subgroup replies \"Signed off\" to the request about Children's Social Care's evidence: every action is signed off and the case closes.",
				signOff("Lewisham Children's Social Care"))
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
