package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// caseDone: csprbot case REF done STEP [--date D]: a step of the Terms of Reference's
// timetable done (by email: Done: STEP [on DATE]). STEP is the step's name as the
// timetable words it, or the start of it; without --date, done now.
func caseDone(ctx context.Context, a *app, f *flags, ref string, stdout io.Writer) error {
	if len(f.args) < 3 {
		return usagef("case %s done: which step? csprbot case %s done STEP [--date YYYY-MM-DD]", ref, ref)
	}
	day, err := a.dateFlag(f, "date", false)
	if err != nil {
		return err
	}
	out, err := a.tr.MarkStepDone(ctx, ref, strings.Join(f.args[2:], " "), day, "command line")
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", ref, out)
	return nil
}
