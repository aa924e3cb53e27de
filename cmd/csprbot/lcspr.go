package main

import (
	"context"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/templates"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// The local review's commands (cli.md, "The local review and after"), each the twin of a
// staff email command (tracker/lcspr.go).
type caseAction func(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error

func lcsprAction(name string) caseAction {
	switch name {
	case "decision":
		return caseDecision
	case "reviewer":
		return caseReviewer
	case "request":
		return caseRequest
	case "more":
		return caseMore
	case "tor":
		return caseToR
	case "final-report":
		return caseFinalReport
	case "published":
		return casePublished
	case "action-plan":
		return caseActionPlan
	case "signed-off":
		return caseSignedOff
	case "learning-event":
		return caseLearningEvent
	case "status":
		return caseStatus
	case "family-letter":
		return caseFamilyLetter
	case "done":
		return caseDone // steps.go
	}
	return nil
}

// lcsprValueFlags are the value flags the local review's commands take.
var lcsprValueFlags = []string{"due", "what", "venue", "publish", "url", "email"}

// caseDecision: csprbot case REF decision local|national|alternative|none [--date D].
func caseDecision(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 3 {
		return usagef("case %s decision: csprbot case %s decision local|national|alternative|none [--date YYYY-MM-DD]", ref, ref)
	}
	at, err := a.dateFlag(f, "date", false)
	if err != nil {
		return err
	}
	if !at.IsZero() {
		at = a.tr.DoneOn(at)
	}
	res, err := a.tr.Decide(ctx, ref, f.args[2], at, "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, tracker.DecisionDone(res, a.tr.Calendar().Location()))
	return nil
}

// caseReviewer: csprbot case REF reviewer NAME [--email ADDR].
func caseReviewer(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) < 3 {
		return usagef("case %s reviewer: who? csprbot case %s reviewer NAME [--email ADDR]", ref, ref)
	}
	out, err := a.tr.SetReviewer(ctx, ref, strings.Join(f.args[2:], " "), f.last("email"), "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// caseRequest: csprbot case REF request chronology|agency_report [--agency NAME]... --due DATE.
func caseRequest(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 3 || f.last("due") == "" {
		return usagef("case %s request: csprbot case %s request chronology|agency_report [--agency NAME]... --due YYYY-MM-DD", ref, ref)
	}
	kind := strings.ReplaceAll(strings.ToLower(f.args[2]), "-", "_")
	if kind != tracker.ReturnChronology && kind != tracker.ReturnAgencyReport {
		return usagef("case %s request: %q: want chronology or agency_report", ref, f.args[2])
	}
	d, err := a.dateFlag(f, "due", true)
	if err != nil {
		return err
	}
	res, err := a.tr.RequestReturns(ctx, ref, kind, f.all("agency"), d, "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, tracker.RequestDone(res, a.tr.Calendar().Location()))
	return nil
}

// caseMore: csprbot case REF more AGENCY --due DATE --what TEXT.
func caseMore(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) < 3 || f.last("due") == "" || f.last("what") == "" {
		return usagef("case %s more: csprbot case %s more AGENCY --due YYYY-MM-DD --what TEXT", ref, ref)
	}
	d, err := a.dateFlag(f, "due", true)
	if err != nil {
		return err
	}
	out, err := a.tr.More(ctx, ref, strings.Join(f.args[2:], " "), d, f.last("what"), "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// caseApproveWhat: csprbot case REF approve [WHAT]: what is held for approval on the case,
// all of it or the one named (submission, reviewer, final-report, nspcc, delay). A bare
// approve with a Rapid Review submission waiting prints as it always has.
func caseApproveWhat(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	what := strings.ReplaceAll(strings.Join(f.args[2:], " "), "-", " ")
	if what == "" {
		if waiting, err := a.tr.SubmissionWaiting(ctx, ref); err != nil {
			return asUsage(err)
		} else if waiting {
			return caseApprove(ctx, a, f, ref, stdout)
		}
	}
	out, err := a.tr.ApproveWhat(ctx, ref, what, "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// caseToR: csprbot case REF tor FILE: reads the Terms of Reference (Appendix 6), sets the
// timetable as deadlines, requests the chronologies and agency reports it dates from the
// agencies it names, and records the lead reviewer; prints what it read.
func caseToR(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 3 {
		return usagef("case %s tor: which file? csprbot case %s tor FILE", ref, ref)
	}
	form, err := parseOne(f.args[2], a.cfg.Parser.Passwords)
	if err != nil {
		return usagef("case %s tor: %s: %v", ref, f.args[2], err)
	}
	if form.Kind != parser.KindTermsOfReference {
		return usagef("case %s tor: %s reads as %s, not Terms of Reference (Appendix 6)", ref, f.args[2], form.Kind)
	}
	res, err := a.tr.TermsOfReference(ctx, ref, toTrackerForm(form), true, "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: Terms of Reference read and set.\n", ref)
	for _, l := range tracker.ToRDone(res, a.tr.Calendar().Location()) {
		fmt.Fprintln(stdout, l)
	}
	return nil
}

// caseFinalReport: csprbot case REF final-report FILE --publish DATE [--force].
func caseFinalReport(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 3 || f.last("publish") == "" {
		return usagef("case %s final-report: csprbot case %s final-report FILE --publish YYYY-MM-DD [--force]", ref, ref)
	}
	d, err := a.dateFlag(f, "publish", true)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(f.args[2])
	if err != nil {
		return usagef("case %s final-report: %v", ref, err)
	}
	att := &tracker.Attachment{Name: filepath.Base(f.args[2]), ContentType: mime.TypeByExtension(filepath.Ext(f.args[2])), Data: data}
	if att.ContentType == "" {
		att.ContentType = "application/octet-stream"
	}
	res, err := a.tr.FinalReport(ctx, ref, att, d, f.bool("force"), "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, tracker.FinalReportDone(res, a.tr.Calendar().Location()))
	return nil
}

// casePublished: csprbot case REF published [--date D] [--url URL].
func casePublished(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 2 {
		return usagef("case %s published: csprbot case %s published [--date YYYY-MM-DD] [--url URL]", ref, ref)
	}
	day, err := a.dateFlag(f, "date", false)
	if err != nil {
		return err
	}
	out, err := a.tr.Published(ctx, ref, day, f.last("url"), "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// caseActionPlan: csprbot case REF action-plan FILE: reads the action plan (action, owner
// agency, due date) and asks each owner for evidence by the date.
func caseActionPlan(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 3 {
		return usagef("case %s action-plan: which file? csprbot case %s action-plan FILE", ref, ref)
	}
	form, err := parseOne(f.args[2], a.cfg.Parser.Passwords)
	if err != nil {
		return usagef("case %s action-plan: %s: %v", ref, f.args[2], err)
	}
	if form.Kind != parser.KindActionPlan {
		return usagef("case %s action-plan: %s reads as %s, not an action plan (action, owner agency, due date)", ref, f.args[2], form.Kind)
	}
	res, err := a.tr.ActionPlan(ctx, ref, toTrackerForm(form), "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, tracker.ActionPlanDone(res))
	return nil
}

// caseSignedOff: csprbot case REF signed-off A1 [A2...]|all: the MESI subgroup signed off
// these actions' evidence (Signed off: by email).
func caseSignedOff(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) < 3 {
		return usagef("case %s signed-off: which actions? csprbot case %s signed-off A1 [A2...]|all", ref, ref)
	}
	out, err := a.tr.SignOff(ctx, ref, strings.Join(f.args[2:], " "), "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// caseLearningEvent: csprbot case REF learning-event TIME [--venue TEXT], or cancel.
func caseLearningEvent(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) < 3 {
		return usagef("case %s learning-event: when? csprbot case %s learning-event TIME [--venue TEXT] (or cancel)", ref, ref)
	}
	if len(f.args) == 3 && strings.EqualFold(f.args[2], "cancel") {
		res, err := a.tr.CancelLearningEvent(ctx, ref, "command line")
		if err != nil {
			return asUsage(err)
		}
		fmt.Fprintf(stdout, "%s: %s\n", ref, tracker.LearningCancelled(res, a.tr.Calendar().Location()))
		return nil
	}
	at, err := tracker.ParseLondonTime(strings.Join(f.args[2:], " "), a.tr.Calendar().Location())
	if err != nil {
		return usagef("case %s learning-event: %v", ref, err)
	}
	res, err := a.tr.SetLearningEvent(ctx, ref, at, f.last("venue"), "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, tracker.LearningDone(res, a.tr.Calendar().Location()))
	return nil
}

// caseStatus: csprbot case REF status: the case's journey, as Status by email answers.
func caseStatus(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	lines, err := a.tr.Timeline(ctx, ref)
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintln(stdout, strings.Join(lines, "\n"))
	return nil
}

// caseFamilyLetter: csprbot case REF family-letter [--out FILE]: the letter to the family
// (Appendix 7) and the leaflet (Appendix 8) as a .docx for the lead reviewer to complete
// and send by hand. Nothing is emailed to a family.
func caseFamilyLetter(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 2 {
		return usagef("case %s family-letter: csprbot case %s family-letter [--out FILE]", ref, ref)
	}
	reviewer, death, err := a.tr.FamilyLetterInfo(ctx, ref, "command line")
	if err != nil {
		return asUsage(err)
	}
	c := a.tr.Config()
	doc, err := templates.FamilyLetter(templates.FamilyLetterData{Partnership: c.Partnership, Ref: ref, Reviewer: reviewer, Death: death})
	if err != nil {
		return err
	}
	out := f.last("out")
	if out == "" {
		out = templates.FamilyLetterName(ref)
	}
	if err := os.WriteFile(out, doc, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: the family letter and leaflet are in %s, for the lead reviewer to complete and send by hand (csprbot never writes to a family).\n", ref, out)
	return nil
}
