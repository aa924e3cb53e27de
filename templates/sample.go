package templates

import (
	"time"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// sampleData is the data every template is rendered with once when a Set is made,
// so that a template naming a field that does not exist fails at start-up. Every
// part a template may reach is filled in. It names no real person.
func sampleData() *cspr.MailData {
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, time.UTC) }
	ag := cspr.AgencyView{Name: "Sample Agency", Email: "lead@agency.example", Partner: "police", Known: true, Reason: "sample reason"}
	c := cspr.CaseView{
		Ref: "LSCP-2026-000", ChildInitials: "XY", Stage: "scoping", ReferralReceived: at(1, 10),
		IncidentDate: "2026-11-30", IncidentKind: "serious_harm", LookedAfter: true,
		ReferrerName: "Sample Referrer", ReferrerAgency: "Sample Agency", ReferrerEmail: "referrer@agency.example",
		Summary:   []cspr.Field{{Label: "Sample", Value: "value\nsecond line"}},
		Agencies:  []cspr.AgencyView{ag, {Name: "Unknown Agency", Reason: "sample"}},
		Deadlines: []cspr.DeadlineView{{Rule: "scoping_return", Label: "Scoping return", Due: at(9, 17), Status: "pending"}, {Rule: "rr_meeting", Label: "Rapid Review meeting", From: at(10, 9), Due: at(18, 17), Status: "pending"}, {Rule: "rr_submission", Label: "Rapid Review report", Due: at(21, 17), Status: "pending"}},
		Returns:   []cspr.ReturnView{{Agency: "Sample Agency", Status: "awaiting", Due: at(9, 17), ChasersSent: 1, RAG: "amber"}, {Agency: "Other Agency", Status: "received", Due: at(9, 17), ReceivedAt: at(8, 12), RAG: "green"}},
		Warnings:  []string{"sample warning"}, NeedsCompletion: true,
	}
	return &cspr.MailData{
		Partnership: cspr.Partnership{Name: "Sample Partnership", Short: "SP", Email: "partnership@example.org", Phone: "000",
			Address: "1 Sample Street", Website: "www.example.org", Contact: "Sample Contact", Signer: "Sample Signer"},
		Case: c, Agency: ag, Now: at(1, 11), Due: at(9, 17), Chaser: 2, Reason: "sample reason",
		Lines: []string{"sample line"},
		Form:  cspr.FormView{CaseRef: c.Ref, ChildInitials: c.ChildInitials, ReturnBy: at(9, 17), AgencyName: ag.Name},
		Digest: &cspr.DigestView{WeekFrom: at(1, 0), WeekTo: at(7, 0), Cases: []cspr.CaseView{c},
			Chased: []string{"chased"}, Escalated: []string{"escalated"}, Overdue: []string{"overdue"}},
		RR:    sampleRR(),
		Draft: sampleDraft(),
	}
}
