package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// caseApprove: csprbot case REF approve. Nothing goes to the National Panel, Ofsted or
// the DfE without this (or an authorised staff member's emailed "Approve").
func caseApprove(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) != 2 {
		return usagef("case %s approve: unexpected argument %q", ref, f.args[2])
	}
	res, err := a.tr.Approve(ctx, ref, "command line")
	if err != nil {
		return asUsage(err)
	}
	switch {
	case res.Held != "":
		fmt.Fprintf(stdout, "%s: submission to the National Panel approved but HELD, not sent: %s.\n", ref, res.Held)
		fmt.Fprintln(stdout, "rr_submission is met only when it goes.")
	case res.SubmissionLate != "":
		fmt.Fprintf(stdout, "%s: submission to the National Panel approved; it is queued and goes at the next send.\n", ref)
		fmt.Fprintf(stdout, "rr_submission missed: %s.\n", res.SubmissionLate)
	default:
		fmt.Fprintf(stdout, "%s: submission to the National Panel approved; it is queued and goes at the next send.\n", ref)
		fmt.Fprintln(stdout, "rr_submission met.")
	}
	fmt.Fprintf(stdout, "Outcome (recommendation %s) sent to: %s\n", orDash(res.Recommendation), strings.Join(res.Notified, ", "))
	fmt.Fprintf(stdout, "Stage: %s\n", res.Stage)
	return nil
}
