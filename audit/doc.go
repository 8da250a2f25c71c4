// Package audit records security events (who did what, to what, from where,
// with what outcome) into sinks that never lose them silently, and can make
// the record tamper-evident.
//
// For most uses, call [New] with a [JSONSink] (or a [ChainSink] when the log
// must resist editing) behind an [AsyncSink], wrap the HTTP handler with
// [HTTP.Middleware], and log events filled by [HTTP.Fill]:
//
//	ids, _ := audit.NewHTTP(audit.HTTPConfig{TrustedProxies: proxies})
//	async, _ := audit.NewAsync(audit.AsyncConfig{Sink: audit.NewJSONSink(file)})
//	log, _ := audit.New(audit.Config{Sink: async})
//	defer async.Close(context.Background())
//
//	e := audit.Event{Action: audit.ActionMemberRoleChanged, Outcome: audit.Success,
//		Target: audit.Target{Type: "member", ID: id}}
//	ids.Fill(&e, r)
//	if err := log.Log(r.Context(), e); err != nil { … }
//
// # Events
//
// An [Event] follows the OWASP Logging Cheat Sheet: time (UTC), action (a
// dotted name; see the Action constants such as [ActionLoginFailed]),
// [Outcome], [Severity], [Actor] (user ID, client IP, user agent), org ID,
// [Target], request ID, reason and string metadata. [Logger] completes
// events (time, default severity, request ID from the context) and redacts
// them before any sink sees them.
//
// # Sinks
//
// A [Sink] has one method, Write(ctx, Event) error; sinks that buffer or own
// goroutines also implement [Flusher] and [Closer].
//
//   - [JSONSink]: one JSON object per line ([AppendJSON]): stable field
//     names, RFC 3339 UTC time with nine fractional digits, escaping
//     identical to encoding/json (invalid UTF-8 becomes U+FFFD; U+2028,
//     U+2029, '<', '>' and '&' are escaped, so log lines are safe to embed in
//     HTML and JavaScript viewers). Zero allocations per event.
//   - [SlogSink]: log/slog records, bypassing level filtering.
//   - [MultiSink]: fan-out that keeps going when one sink fails and reports
//     every failure.
//   - [MemorySink]: bounded, for tests and recent-activity pages.
//   - [AsyncSink]: a bounded queue and a background writer. When the queue
//     is full, Write blocks (honouring its context) or, with DropWhenFull,
//     drops; every refused event is counted and reported to OnDrop. Close
//     drains: an event accepted before Close is written before Close
//     returns nil.
//   - [ChainSink]: the tamper-evident log described below.
//
// # Tamper-evident log
//
// [ChainSink] writes each event as a record with a sequence number and an
// HMAC-SHA256, keyed with a secret [Key], over the previous record's MAC and
// the record's own canonical bytes. [Verify] (or [VerifyConfig.Verify])
// reads a log back and returns a [*VerifyError] naming the first line that
// was edited, deleted, inserted, duplicated or moved. A hash chain cannot
// notice that its tail was cut off, so the sink also produces checkpoints
// ([Checkpoint]: the latest sequence number and MAC, HMAC-signed): store
// them outside the log's storage and verify against the latest one
// (VerifyConfig.Expect) to detect truncation.
//
// Key rotation: every record names its key by ID. Call [ChainSink.Rotate]
// with a new key; the chain continues across the change (the first record
// under the new key is chained to the last one under the old key). Keep
// retired keys for verification and pass all keys to VerifyConfig.Keys in
// rotation order, oldest first: a record may not use a key older than the
// record before it, so a leaked retired key cannot be used to append
// records after the rotation. Rotate when a key may have leaked, and take a
// checkpoint right after rotating. To split the log into files, start each
// new file with ChainConfig.Resume set to the previous file's last
// checkpoint, and verify it with VerifyConfig.From.
//
// # Redaction
//
// [Logger] replaces the values of metadata keys that look sensitive
// (password, token, secret, authorization, cookie, api_key, code, … see
// [IsSensitiveKey], plus Config.RedactKeys) with [Redacted]. [RedactURL]
// removes token-like query and fragment parameters and user information
// from a URL before it is recorded.
//
// # Request IDs
//
// [HTTP.Middleware] gives each request an ID, available through
// [RequestIDFromContext] and set on the response header. An incoming ID is
// accepted only when the socket peer is a configured trusted proxy and the
// value is well formed ([ValidRequestID]); otherwise a random ID is
// generated, so clients cannot inject text into logs or collide with other
// requests' IDs. [HTTP.Fill] sets an event's client IP (through trusted
// proxies' X-Forwarded-For, never its leftmost entry), user agent, request
// ID, user and org.
//
// # What it defends against, and what it does not
//
// It defends against: log injection (every string is JSON-escaped, request
// IDs are validated); forged client IPs and request IDs from untrusted
// peers; secrets leaking into audit logs through metadata or URLs; silent
// loss when a sink is slow or failing (drops and failures are counted and
// reported); undetected editing, deletion, insertion or reordering of
// records, and truncation when checkpoints are kept elsewhere.
//
// It does not: stop someone who holds the chain key from rewriting the
// log (keep the key away from the log's storage); prevent deletion of the
// whole log or rollback to an older checkpoint (store checkpoints
// append-only); recognise secrets stored under innocent metadata keys or in
// Reason; make writes durable (call Flush, which syncs files, or put the
// log on storage you trust); or survive a process crash with events still
// in an AsyncSink queue.
package audit
