//go:build unix

package tracker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// countingSender takes every email and keeps only the count.
type countingSender struct{ n int }

func (s *countingSender) Send(context.Context, *OutEmail) error { s.n++; return nil }

// BenchmarkBacklog takes in a backlog through the tracker on a real SQLite store: 10%
// referrals from one referrer, the rest strangers' mail (a note to staff each) and
// out-of-office replies, one second of the clock apart on one working day from 10:00. It
// prints the rate for each thousand messages: the work per message must not grow with the
// day's mail (issue 11.1), so the last thousand should go as fast as the first.
//
// intake+send is each message's own work: Ingest, then SendDue (the daemon sends after
// every message). cycle adds the scheduler passes (Tick, TickRR) the daemon's loop runs
// beside it, once per message here, which is as often as it can.
//
//	go test ./tracker -run '^$' -bench Backlog -benchtime 1x            5,000 messages
//	CSPRBOT_BACKLOG=10000 go test ./tracker -run '^$' -bench Backlog/intake -benchtime 1x
func BenchmarkBacklog(b *testing.B) {
	total := 5000
	if v, err := strconv.Atoi(os.Getenv("CSPRBOT_BACKLOG")); err == nil && v >= 1000 {
		total = v
	}
	b.Run("intake+send", func(b *testing.B) { benchBacklog(b, total, false) })
	b.Run("cycle", func(b *testing.B) { benchBacklog(b, total, true) })
}

func benchBacklog(b *testing.B, total int, cycle bool) {
	ctx := context.Background()
	for range b.N {
		clock := &testClock{}
		clock.Set("2026-12-07T10:00:00Z")
		tr := benchTracker(b, clock)
		s := &countingSender{}
		var rates []float64
		began, block, blockCPU := time.Now(), time.Now(), cpuTime()
		for i := 1; i <= total; i++ {
			at := clock.Now()
			in := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(i), ReceivedAt: at,
				MessageID: fmt.Sprintf("backlog.%d@elsewhere.example", i), Subject: fmt.Sprintf("Message %d", i), Text: "Hello"}
			switch {
			case i%10 == 0:
				in = referralIncoming(fmt.Sprintf("referral.%d@lgt.example", i), uint32(i), at.Format(time.RFC3339))
			case i%2 == 0:
				in.From = fmt.Sprintf("someone%d@elsewhere.example", i%500)
			default:
				in.From = fmt.Sprintf("away%d@elsewhere.example", i%500)
				in.Subject, in.Auto, in.Text = "Automatic reply: out of the office", "auto_reply", "I am away until Monday."
			}
			if _, err := tr.Ingest(ctx, in); err != nil {
				b.Fatalf("message %d: %v", i, err)
			}
			if cycle {
				if _, err := tr.Tick(ctx); err != nil {
					b.Fatalf("tick after message %d: %v", i, err)
				}
				if err := tr.TickRR(ctx); err != nil {
					b.Fatalf("tick after message %d: %v", i, err)
				}
			}
			if _, err := tr.SendDue(ctx, s); err != nil {
				b.Fatalf("send after message %d: %v", i, err)
			}
			clock.Set(at.Add(time.Second).Format(time.RFC3339))
			if i%1000 == 0 {
				// CPU time per message too: on a shared machine the wall-clock rate
				// moves with other load, the CPU this process spends much less.
				r, cpu := 1000/time.Since(block).Seconds(), (cpuTime()-blockCPU)/1000
				rates = append(rates, r)
				fmt.Printf("backlog %s: messages %5d-%5d: %6.0f messages/s, %v CPU per message\n", b.Name(), i-999, i, r, cpu.Round(time.Microsecond))
				block, blockCPU = time.Now(), cpuTime()
			}
		}
		all := float64(total) / time.Since(began).Seconds()
		fmt.Printf("backlog %s: %d messages at %.0f messages/s; last thousand at %.0f%% of the first's rate; %d emails sent\n",
			b.Name(), total, all, 100*rates[len(rates)-1]/rates[0], s.n)
		b.ReportMetric(all, "msgs/s")
		b.ReportMetric(rates[len(rates)-1]/rates[0], "last/first")
	}
}

// benchTracker is newTestTracker for a benchmark: the test configuration on a fresh store.
func benchTracker(b *testing.B, clock *testClock) *Tracker {
	b.Helper()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "csprbot.db"), clock.Now, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cal, err := NewCalendar(nil)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := New(ctx, st, testConfig(), cal, testRenderer{})
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// cpuTime is the CPU (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
