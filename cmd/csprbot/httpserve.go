package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// monitor serves /healthz and /metrics on loopback ([http] listen) for the machine's
// monitoring agent. Neither names a child, a case or anyone's address: they carry
// counts by category, times, and error texts with every address blanked.
type monitor struct {
	a *app
	w *mailbox.Watcher // nil with no intake (tests)
}

// serveHTTP listens on cfg.HTTP.Listen until ctx is done. The listener is opened before
// it returns, so a port already taken stops the daemon at start with the reason.
func (a *app) serveHTTP(ctx context.Context, w *mailbox.Watcher) (addr string, err error) {
	if a.cfg.HTTP.Listen == "" {
		return "", nil
	}
	ln, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return "", err
	}
	m := &monitor{a: a, w: w}
	srv := &http.Server{Handler: m.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http: health and metrics listener stopped", "err", err)
		}
	}()
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	return ln.Addr().String(), nil
}

func (m *monitor) handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", m.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	return mux
}

// health is /healthz's answer.
type health struct {
	Status string `json:"status"` // ok | degraded
	IMAP   struct {
		Connected  bool       `json:"connected"`
		LastPoll   *time.Time `json:"last_successful_poll"`
		Reconnects int64      `json:"reconnects"`
		LastError  string     `json:"last_error,omitempty"`
	} `json:"imap"`
	Outbox struct {
		OldestUnsentSeconds float64 `json:"oldest_unsent_age_seconds"`
		Queued              int64   `json:"queued"`
		Held                int64   `json:"held"`
		Failed              int64   `json:"failed"`
		LastSendError       string  `json:"last_send_error,omitempty"`
	} `json:"outbox"`
	Store struct {
		Writable bool   `json:"writable"`
		Error    string `json:"error,omitempty"`
	} `json:"store"`
	Problems []string `json:"problems,omitempty"`
}

// addrRe finds email addresses, to blank them in error texts.
var addrRe = lazyRegexp(`[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+`)

func redact(s string) string { return addrRe().ReplaceAllString(s, "[address]") }

func (m *monitor) check(ctx context.Context) (*health, *tracker.Metrics) {
	h := &health{Status: "ok"}
	now := m.a.now()
	poll := m.a.cfg.IMAP.PollInterval.Duration
	if poll <= 0 {
		poll = mailbox.DefaultPollInterval
	}
	if m.w != nil {
		wh := m.w.Health()
		h.IMAP.Connected, h.IMAP.Reconnects, h.IMAP.LastError = wh.Connected, wh.Reconnects, redact(wh.LastError)
		if !wh.LastPass.IsZero() {
			t := wh.LastPass.UTC()
			h.IMAP.LastPoll = &t
		}
		switch {
		case !wh.Connected:
			h.Problems = append(h.Problems, "IMAP session down")
		case time.Since(wh.LastPass) > 3*poll+time.Minute:
			h.Problems = append(h.Problems, "no successful IMAP poll for "+time.Since(wh.LastPass).Round(time.Second).String())
		}
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := m.a.store.Writable(sctx)
	cancel()
	h.Store.Writable = err == nil
	if err != nil {
		h.Store.Error = redact(err.Error())
		h.Problems = append(h.Problems, "store not writable")
	}
	met, err := m.a.store.Metrics(ctx, now)
	if err != nil {
		h.Problems = append(h.Problems, "store not readable: "+redact(err.Error()))
	} else {
		h.Outbox.Queued, h.Outbox.Held, h.Outbox.Failed = met.Emails["queued"]+met.Emails["sending"], met.Emails["held"], met.Emails["failed"]
		h.Outbox.LastSendError = redact(met.LastSendError)
		if !met.OldestUnsent.IsZero() {
			h.Outbox.OldestUnsentSeconds = now.Sub(met.OldestUnsent).Seconds()
		}
		if alert := m.a.cfg.SMTP.AlertAfter.Duration; alert > 0 && h.Outbox.OldestUnsentSeconds > alert.Seconds() {
			h.Problems = append(h.Problems, "an email has waited unsent longer than smtp.alert_after")
		}
	}
	if len(h.Problems) > 0 {
		h.Status = "degraded"
	}
	return h, met
}

func (m *monitor) healthz(w http.ResponseWriter, r *http.Request) {
	h, _ := m.check(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if h.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(h)
}

// metricDesc holds /metrics' descriptions, made when /metrics is first described rather
// than when the program starts (issue 11.4: most commands serve no metrics).
type metricDesc struct {
	messages, emails, openCases, overdue, oldest, parseFail, reconnects, connected, lastPoll, writable, up *prometheus.Desc
}

var metricDescs = sync.OnceValue(func() *metricDesc {
	return &metricDesc{
		messages:   prometheus.NewDesc("csprbot_messages_in_total", "Messages recorded from the mailbox, by disposition.", []string{"disposition"}, nil),
		emails:     prometheus.NewDesc("csprbot_emails", "Emails in the outbox, by status (sent, queued, sending, held, failed).", []string{"status"}, nil),
		openCases:  prometheus.NewDesc("csprbot_open_cases", "Open cases, by stage.", []string{"stage"}, nil),
		overdue:    prometheus.NewDesc("csprbot_overdue_returns", "Agencies' returns past their deadline on open cases.", nil, nil),
		oldest:     prometheus.NewDesc("csprbot_oldest_unsent_email_age_seconds", "Age of the oldest email not yet sent (0 if none).", nil, nil),
		parseFail:  prometheus.NewDesc("csprbot_parse_failures_total", "Attachments csprbot could not read.", nil, nil),
		reconnects: prometheus.NewDesc("csprbot_imap_reconnects_total", "IMAP sessions that ended and were started again.", nil, nil),
		connected:  prometheus.NewDesc("csprbot_imap_connected", "1 while the IMAP session is up.", nil, nil),
		lastPoll:   prometheus.NewDesc("csprbot_imap_last_successful_poll_timestamp_seconds", "When the mailbox was last read successfully.", nil, nil),
		writable:   prometheus.NewDesc("csprbot_store_writable", "1 if the store takes a write.", nil, nil),
		up:         prometheus.NewDesc("csprbot_healthy", "1 when /healthz says ok.", nil, nil),
	}
})

// Describe and Collect make the monitor a prometheus.Collector that reads the store at
// each scrape (no counters kept in memory to drift from it).
func (m *monitor) Describe(ch chan<- *prometheus.Desc) {
	d := metricDescs()
	for _, desc := range []*prometheus.Desc{d.messages, d.emails, d.openCases, d.overdue, d.oldest, d.parseFail,
		d.reconnects, d.connected, d.lastPoll, d.writable, d.up} {
		ch <- desc
	}
}

func (m *monitor) Collect(ch chan<- prometheus.Metric) {
	d := metricDescs()
	h, met := m.check(context.Background())
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	ch <- prometheus.MustNewConstMetric(d.up, prometheus.GaugeValue, b(h.Status == "ok"))
	ch <- prometheus.MustNewConstMetric(d.writable, prometheus.GaugeValue, b(h.Store.Writable))
	if m.w != nil {
		ch <- prometheus.MustNewConstMetric(d.reconnects, prometheus.CounterValue, float64(h.IMAP.Reconnects))
		ch <- prometheus.MustNewConstMetric(d.connected, prometheus.GaugeValue, b(h.IMAP.Connected))
		if h.IMAP.LastPoll != nil {
			ch <- prometheus.MustNewConstMetric(d.lastPoll, prometheus.GaugeValue, float64(h.IMAP.LastPoll.Unix()))
		}
	}
	if met == nil {
		return
	}
	for k, v := range met.MessagesIn {
		ch <- prometheus.MustNewConstMetric(d.messages, prometheus.CounterValue, float64(v), k)
	}
	for k, v := range met.Emails {
		ch <- prometheus.MustNewConstMetric(d.emails, prometheus.GaugeValue, float64(v), k)
	}
	for k, v := range met.OpenCases {
		ch <- prometheus.MustNewConstMetric(d.openCases, prometheus.GaugeValue, float64(v), k)
	}
	ch <- prometheus.MustNewConstMetric(d.overdue, prometheus.GaugeValue, float64(met.OverdueReturns))
	ch <- prometheus.MustNewConstMetric(d.oldest, prometheus.GaugeValue, h.Outbox.OldestUnsentSeconds)
	ch <- prometheus.MustNewConstMetric(d.parseFail, prometheus.CounterValue, float64(met.ParseFailures))
}
