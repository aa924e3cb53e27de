package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// cmdDigest prints the weekly digest as it would be sent now, without sending it.
func cmdDigest(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parseFlags(args, []string{"html"}, []string{"config", "now"})
	if err != nil {
		return err
	}
	if len(f.args) > 0 {
		return usagef("digest: unexpected argument %q", f.args[0])
	}
	a, err := openReadFromFlags(ctx, f, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
	defer readOnce()()
	// The tracker's own templates, as the weekly send uses them.
	r, err := a.tr.DigestPreview(ctx, a.now())
	if err != nil {
		return err
	}
	if f.bool("html") {
		_, err = io.WriteString(stdout, r.HTML)
		return err
	}
	_, err = fmt.Fprintf(stdout, "Subject: %s\nTo: %s\n\n%s", r.Subject, orDash(a.cfg.Addresses.Subgroup), r.Text)
	return err
}

// weekday reads a day name ("monday", "Mon"); "" is Monday.
func weekday(s string) (time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return time.Monday, nil
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || s == name[:3] {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%q is not a day of the week", s)
}
