package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// cmdAddress lists the addresses the mail server bounced or refused (nothing goes to them
// without a person), and clears one: csprbot address [list] | address clear ADDR
// [--release] [--as NAME]. With --release, the mail held for the address is released in
// the same step (what the send policy lets go on a person's word).
func cmdAddress(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parseFlags(args, []string{"release", "json"}, []string{"config", "now", "as"})
	if err != nil {
		return err
	}
	sub := "list"
	if len(f.args) > 0 {
		sub = f.args[0]
	}
	switch {
	case sub == "list" && len(f.args) <= 1:
	case sub == "clear" && len(f.args) == 2:
	default:
		return usagef("usage: csprbot address [list] | csprbot address clear ADDRESS [--release] [--as NAME]")
	}
	a, err := openFromFlags(ctx, f, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
	if sub == "list" {
		marked, err := a.store.MarkedAddresses(ctx)
		if err != nil {
			return err
		}
		if f.bool("json") {
			type row struct {
				Address string `json:"address"`
				Status  string `json:"status"`
				Detail  string `json:"detail"`
				At      string `json:"at"`
			}
			rows := []row{}
			for _, m := range marked {
				rows = append(rows, row{m.Address, m.Status, m.Detail, m.At.UTC().Format("2006-01-02T15:04:05Z")})
			}
			return writeJSON(stdout, rows)
		}
		if len(marked) == 0 {
			fmt.Fprintln(stdout, "No address is marked bounced or refused.")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ADDRESS\tSTATUS\tSINCE\tDETAIL")
		for _, m := range marked {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Address, m.Status, m.At.In(a.tr.Calendar().Location()).Format("2 Jan 2006 15:04"), m.Detail)
		}
		return tw.Flush()
	}
	actor := f.last("as")
	if actor == "" {
		actor = "command line"
	}
	addr := f.args[1]
	switch err := a.tr.ClearAddress(ctx, addr, actor); {
	case errors.Is(err, tracker.ErrNotFound) && f.bool("release"):
		// Already clear (cleared earlier without --release, as the line below
		// suggests doing): what is held for it is released all the same.
		fmt.Fprintf(stdout, "%s is not marked bounced or refused: mail may go to it.\n", addr)
	case err != nil:
		return asUsage(err)
	default:
		fmt.Fprintf(stdout, "%s cleared: mail may go to it again.\n", addr)
	}
	if !f.bool("release") {
		fmt.Fprintf(stdout, "Mail held for it stays held: csprbot address clear %s --release, or csprbot release MESSAGE-ID (csprbot outbox lists them).\n", addr)
		return nil
	}
	released, still, err := a.tr.ReleaseTo(ctx, addr, actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d held email(s) to it released: they go with the next send.\n", len(released))
	ids := make([]string, 0, len(still))
	for id := range still {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(stdout, "still held: %s: %s\n", id, still[id])
	}
	return nil
}
