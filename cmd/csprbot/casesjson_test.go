package main

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// TestCasesJSONMatchesEncodingJSON: writeCasesJSON prints what encoding/json prints, byte
// for byte, for a populated store and for values that exercise every optional field and
// every kind of escaping. A field added to the summary's types shows up here.
func TestCasesJSONMatchesEncodingJSON(t *testing.T) {
	cfgPath := populatedStore(t)
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := tracker.Open(ctx, cfg.Store.Path, func() time.Time { return time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored, err := st.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 10, 15, 0, 123456789, time.UTC)
	london := at.In(time.FixedZone("BST", 3600))
	whole := time.Date(2026, 12, 7, 23, 59, 59, 0, time.UTC) // as the store holds times
	weird := "<b>&amp;</b> \"quoted\" \\ back\nnew\ttab\r\b\f\x01\x1f \u2028\u2029 é 🙂 \xff\xfe bad"
	odd := []tracker.CaseSummary{
		{Ref: weird, Stage: weird, ChildInitials: weird, ReferralReceived: london, NeedsCompletion: true,
			NextDeadline:   &tracker.Deadline{Rule: weird, Agency: weird, Due: at, Status: "pending", MetAt: &at, Note: weird},
			OverdueReturns: []string{weird, ""},
			Deadlines: []tracker.Deadline{{Rule: "r", Due: at, Status: "met", MetAt: &london, Note: "n"}, {Rule: "", Status: ""},
				{Rule: "early", Due: time.Date(7, 1, 2, 3, 4, 5, 0, time.UTC), Status: "met", MetAt: &whole}},
			Returns: []tracker.Return{{Agency: weird, Email: weird, RequestedAt: at, Due: london, ReceivedAt: at, Received: &at, Status: weird, ChasersSent: -3, Note: weird},
				{}}},
		{},
		{OverdueReturns: []string{}, Deadlines: []tracker.Deadline{}, Returns: []tracker.Return{}},
	}
	// More cases than fit in two blocks, and not a whole number of blocks.
	var many []tracker.CaseSummary
	for len(many) < 2*blockCases+7 {
		many = append(many, stored...)
		many = append(many, odd...)
	}
	for _, tc := range []struct {
		name string
		cs   []tracker.CaseSummary
	}{
		{"populated store", stored},
		{"odd values", odd},
		{"blocks", many},
		{"empty", []tracker.CaseSummary{}},
		{"nil", nil},
	} {
		var want, got bytes.Buffer
		if err := writeJSON(&want, tc.cs); err != nil {
			t.Fatal(err)
		}
		if err := writeCasesJSON(&got, tc.cs); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: writeCasesJSON differs from encoding/json:\ngot:\n%s\nwant:\n%s", tc.name, got.String(), want.String())
		}
	}
	// Past year 9999, as encoding/json, an error.
	if err := writeCasesJSON(&bytes.Buffer{}, []tracker.CaseSummary{{ReferralReceived: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}); err == nil {
		t.Errorf("writeCasesJSON of year 10000 succeeded; encoding/json fails")
	}
	late := append([]tracker.CaseSummary(nil), many...)
	late[len(late)-1].ReferralReceived = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := writeCasesJSON(&bytes.Buffer{}, late); err == nil {
		t.Errorf("writeCasesJSON of year 10000 in its last block succeeded; encoding/json fails")
	}
	if err := writeCasesJSON(failingWriter{}, many); err == nil {
		t.Errorf("writeCasesJSON to a failing writer succeeded")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
