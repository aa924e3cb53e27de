package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// cmdOutbox lists outgoing email that needs a person: held or refused (all with --all).
func cmdOutbox(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parseFlags(args, []string{"json", "all"}, []string{"config", "now"})
	if err != nil {
		return err
	}
	if len(f.args) > 0 {
		return usagef("outbox: unexpected argument %q", f.args[0])
	}
	a, err := openFromFlags(ctx, f, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
	all, err := a.store.Outbox(ctx)
	if err != nil {
		return err
	}
	type row struct {
		MessageID string `json:"message_id"`
		Kind      string `json:"kind"`
		To        string `json:"to"`
		Subject   string `json:"subject"`
		Status    string `json:"status"`
		Attempts  int    `json:"attempts"`
		Why       string `json:"why"`
	}
	rows := []row{}
	for _, o := range all {
		if !f.bool("all") && o.Status != "held" && o.Status != "failed" && o.Status != "bounced" {
			continue
		}
		rows = append(rows, row{o.MessageID, o.Kind, o.To, o.Subject, o.Status, o.Attempts, o.LastError})
	}
	if f.bool("json") {
		return writeJSON(stdout, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "Nothing waits for a person.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tKIND\tTO\tSUBJECT\tWHY\tMESSAGE-ID")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Status, r.Kind, r.To, r.Subject, r.Why, r.MessageID)
	}
	return tw.Flush()
}

// cmdRelease sends a held email.
func cmdRelease(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parseFlags(args, nil, []string{"config", "now", "as"})
	if err != nil {
		return err
	}
	if len(f.args) != 1 {
		return usagef("release: which email? csprbot release MESSAGE-ID (csprbot outbox lists them)")
	}
	a, err := openFromFlags(ctx, f, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := f.last("as")
	if actor == "" {
		actor = "command line"
	}
	if err := a.tr.Release(ctx, f.args[0], actor); err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(stdout, "%s released: it goes with the next send.\n", f.args[0])
	return nil
}
