package main

import (
	"slices"
	"strings"
	"testing"
)

// [schedule] publication_warn_weeks sets the local review's publication warnings; a list
// that is empty, out of range or not largest first is refused naming the key.
func TestPublicationWarnWeeksConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, line string
		want       []int  // the tracker's weeks when it loads
		err        string // or the error
	}{
		{"default", "", nil, ""},
		{"six and two", "publication_warn_weeks = [6, 2]", []int{6, 2}, ""},
		{"empty", "publication_warn_weeks = []", nil, "schedule.publication_warn_weeks"},
		{"zero", "publication_warn_weeks = [8, 0]", nil, "schedule.publication_warn_weeks"},
		{"ascending", "publication_warn_weeks = [4, 8]", nil, "schedule.publication_warn_weeks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edit := func(c string) string {
				if tc.line == "" {
					return c
				}
				return withKeys(c, "schedule", tc.line)
			}
			c, err := loadConfig(writeConfig(t, dir, strings.ReplaceAll(tc.name, " ", "_"), edit))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("loadConfig = %v, want an error naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc2, err := c.trackerConfig()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tc2.PublicationWarnWeeks, tc.want) {
				t.Errorf("tracker PublicationWarnWeeks = %v, want %v", tc2.PublicationWarnWeeks, tc.want)
			}
		})
	}
}
