package main

import (
	"log/slog"
	"sync"
	"time"
)

// outbox stands in for an email service in local mode: messages are
// printed to the console and listed at /dev/outbox. It holds reset and
// invitation links, so it works only when the app listens on loopback;
// otherwise messages are dropped with a warning that names no link (a
// production app sends them by SMTP and never logs them).
type outbox struct {
	log   *slog.Logger
	local bool
	mu    sync.Mutex
	msgs  []mail
}

type mail struct {
	At      time.Time
	To      string
	Subject string
	Body    string
	Link    string
}

func newOutbox(log *slog.Logger, local bool) *outbox { return &outbox{log: log, local: local} }

const outboxMax = 200

func (o *outbox) send(m mail) {
	if !o.local {
		o.log.Warn("no mail transport configured: message not sent", "to", m.To, "subject", m.Subject)
		return
	}
	o.mu.Lock()
	o.msgs = append(o.msgs, m)
	if len(o.msgs) > outboxMax {
		o.msgs = o.msgs[len(o.msgs)-outboxMax:]
	}
	o.mu.Unlock()
	// Deliberately the console: this is the local stand-in for SMTP.
	o.log.Info("OUTBOX (local mode: not really sent)", "to", m.To, "subject", m.Subject, "link", m.Link)
}

// list returns the messages, newest first.
func (o *outbox) list() []mail {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]mail, len(o.msgs))
	for i, m := range o.msgs {
		out[len(out)-1-i] = m
	}
	return out
}
