package mailbox

import (
	"sync"
	"time"
)

// WatchHealth is the watcher's state for a health check.
type WatchHealth struct {
	Connected  bool      // a session is up and its last pass succeeded
	LastPass   time.Time // when a pass last completed (zero: never)
	Reconnects int64     // sessions that ended and were started again
	LastError  string    // why the last session ended ("" if none has)
}

type watchHealth struct {
	mu sync.Mutex
	h  WatchHealth
}

func (w *watchHealth) passed() {
	w.mu.Lock()
	w.h.Connected, w.h.LastPass = true, time.Now()
	w.mu.Unlock()
}

func (w *watchHealth) ended(err error) {
	w.mu.Lock()
	w.h.Connected = false
	w.h.Reconnects++
	if err != nil {
		w.h.LastError = err.Error()
	}
	w.mu.Unlock()
}

// Health reports the watcher's state; safe to call from any goroutine while Run runs.
func (w *Watcher) Health() WatchHealth {
	w.health.mu.Lock()
	defer w.health.mu.Unlock()
	return w.health.h
}
