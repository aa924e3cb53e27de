package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lewisham-lscp/csprbot/mailbox"
)

// saveDrafts leaves the drafts csprbot sent during the demo (the Rapid Review report
// draft, the combined chronology) as .docx files in a drafts folder beside the emails,
// owner-only, the latest copy of each, and lists them.
func (d *demo) saveDrafts() error {
	dir := filepath.Join(d.out, "drafts")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	latest := map[string][]byte{}
	var order []string
	for _, m := range d.srv.smtp.Messages() {
		msg, err := mailbox.Decode(m.Data, mailbox.Limits{})
		if err != nil || msg == nil {
			continue
		}
		for _, a := range msg.Attachments {
			if !strings.HasSuffix(a.Name, " DRAFT.docx") {
				continue
			}
			if _, ok := latest[a.Name]; !ok {
				order = append(order, a.Name)
			}
			latest[a.Name] = a.Data
		}
	}
	if len(order) == 0 {
		return nil
	}
	abs, _ := filepath.Abs(dir)
	fmt.Fprintf(d.w, "\nThe drafts csprbot wrote for the team (Word documents a person edits) are in %s:\n", abs)
	for _, name := range order {
		if err := os.WriteFile(filepath.Join(dir, name), latest[name], 0o600); err != nil {
			return err
		}
		fmt.Fprintf(d.w, "  %s\n", name)
	}
	return nil
}
