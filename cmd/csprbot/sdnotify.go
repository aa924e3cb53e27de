package main

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// sdNotify sends a state ("READY=1", "STOPPING=1", "WATCHDOG=1") to systemd when it
// started us with Type=notify (NOTIFY_SOCKET set); otherwise it does nothing. The
// protocol is one datagram on a Unix socket (sd_notify(3)); a dozen lines here rather
// than a dependency.
func sdNotify(state string) error {
	sock := os.Getenv("NOTIFY_SOCKET")
	if sock == "" {
		return nil
	}
	if strings.HasPrefix(sock, "@") {
		sock = "\x00" + sock[1:] // abstract namespace
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}

// watchdogInterval is how often to ping systemd's watchdog (half of WatchdogSec), or 0.
func watchdogInterval() time.Duration {
	usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return 0
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0
	}
	return time.Duration(usec) * time.Microsecond / 2
}

// watchdog pings systemd while the store answers: a daemon whose store is stuck (a hung
// disk, a lock never released) stops pinging and systemd restarts it.
func (a *app) watchdog(ctx context.Context) {
	every := watchdogInterval()
	if every == 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, every)
		err := a.store.DB().PingContext(pctx)
		cancel()
		if err == nil {
			_ = sdNotify("WATCHDOG=1")
		} else if ctx.Err() == nil {
			a.log.Error("watchdog: the store does not answer; not telling systemd all is well", "err", err)
		}
	}
}
