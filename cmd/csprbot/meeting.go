package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// caseMeeting: csprbot case REF meeting TIME [--force] | csprbot case REF meeting cancel.
func caseMeeting(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	rest := f.args[2:]
	if len(rest) == 0 {
		return usagef("case %s meeting: when? csprbot case %s meeting 2027-01-05T10:00:00Z (or \"2027-01-05 10:00\", London time) [--force]", ref, ref)
	}
	loc := a.tr.Calendar().Location()
	if len(rest) == 1 && strings.EqualFold(rest[0], "cancel") {
		res, err := a.tr.CancelMeeting(ctx, ref, "command line")
		if err != nil {
			return asUsage(err)
		}
		fmt.Fprintf(stdout, "%s: the meeting of %s is cancelled; cancellation (SEQUENCE %d) sent to %d invitees.\n", ref, res.At.In(loc).Format("Mon 2 Jan 2006 15:04"), res.Sequence, len(res.Invited))
		return nil
	}
	at, err := tracker.ParseLondonTime(strings.Join(rest, " "), loc)
	if err != nil {
		return usagef("case %s meeting: %v", ref, err)
	}
	res, err := a.tr.SetMeeting(ctx, ref, at, f.bool("force"), "command line")
	if err != nil {
		return asUsage(err)
	}
	printMeeting(stdout, res, loc)
	return nil
}

func printMeeting(w io.Writer, r tracker.MeetingResult, loc *time.Location) {
	when := r.At.In(loc).Format("Mon 2 Jan 2006 15:04")
	switch {
	case r.Unchanged:
		fmt.Fprintf(w, "%s: the meeting is already set for %s; nothing sent.\n", r.Ref, when)
		return
	case r.Moved:
		fmt.Fprintf(w, "%s: meeting moved to %s; updated invitations (SEQUENCE %d) sent to %d people:\n", r.Ref, when, r.Sequence, len(r.Invited))
	default:
		fmt.Fprintf(w, "%s: meeting set for %s; invitations sent to %d people:\n", r.Ref, when, len(r.Invited))
	}
	for _, a := range r.Invited {
		fmt.Fprintf(w, "  %s\n", a)
	}
	if r.Forced {
		fmt.Fprintln(w, "Outside the rr_meeting window: set with --force.")
	}
	if len(r.NoQuorum) > 0 {
		fmt.Fprintf(w, "WARNING: not quorate as invited: no invitee represents %s. Staff have been told.\n", strings.Join(r.NoQuorum, ", "))
	}
	if r.PapersSent {
		fmt.Fprintln(w, "The papers were sent at once (the meeting is less than a working day away).")
	}
}

// caseNotified: csprbot case REF notified panel|ofsted [--date YYYY-MM-DD].
func caseNotified(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 3 {
		return usagef("case %s notified: which? csprbot case %s notified panel|ofsted [--date YYYY-MM-DD]", ref, ref)
	}
	at, err := a.dateFlag(f, "date", false)
	if err != nil {
		return err
	}
	if !at.IsZero() {
		at = a.tr.DoneOn(at)
	}
	out, err := a.tr.Notified(ctx, ref, f.args[2], at, "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// caseAware: csprbot case REF aware YYYY-MM-DD.
func caseAware(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 3 {
		return usagef("case %s aware: when? csprbot case %s aware YYYY-MM-DD", ref, ref)
	}
	d, err := tracker.ParseLondonDate(f.args[2], a.tr.Calendar().Location())
	if err != nil {
		return usagef("case %s aware: %v", ref, err)
	}
	out, err := a.tr.SetAware(ctx, ref, d, "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// caseExtend: csprbot case REF extend AGENCY... --date YYYY-MM-DD.
func caseExtend(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) < 3 || f.last("date") == "" {
		return usagef("case %s extend: csprbot case %s extend AGENCY --date YYYY-MM-DD", ref, ref)
	}
	d, err := a.dateFlag(f, "date", true)
	if err != nil {
		return err
	}
	out, err := a.tr.Extend(ctx, ref, strings.Join(f.args[2:], " "), d, "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// caseWaive: csprbot case REF waive AGENCY...
func caseWaive(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) < 3 {
		return usagef("case %s waive: which agency? csprbot case %s waive AGENCY", ref, ref)
	}
	out, err := a.tr.Waive(ctx, ref, strings.Join(f.args[2:], " "), "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}

// dateFlag reads --NAME as a London date (YYYY-MM-DD): the zero time when it is not
// given and not required, a usage error when it does not read.
func (a *app) dateFlag(f *flags, name string, required bool) (time.Time, error) {
	s := f.last(name)
	if s == "" && !required {
		return time.Time{}, nil
	}
	d, err := tracker.ParseLondonDate(s, a.tr.Calendar().Location())
	if err != nil {
		return time.Time{}, usagef("--%s: %v", name, err)
	}
	return d, nil
}
