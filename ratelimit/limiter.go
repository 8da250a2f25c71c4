package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRules bounds the rules of one Limiter: each costs a store round trip.
const maxRules = 16

// KeyFunc extracts the key a [Rule] counts a request under, such as the
// client's IP network or the account being signed in to. ok = false means
// the rule does not apply to this request and is skipped (for example no
// user is signed in); a KeyFunc that should never skip returns a fixed key
// instead. Keys may be any string; the [Limiter] prefixes them with the
// rule name before they reach the store.
type KeyFunc func(r *http.Request) (key string, ok bool)

// Rule is one limit applied to the requests through a [Limiter].
type Rule struct {
	// Name identifies the rule in the RateLimit headers and prefixes its
	// keys in the store. Required: 1 to 64 characters from a-z, 0-9, '-',
	// '_' and '.'. Rules sharing one Store must have distinct names across
	// all Limiters (for example "signin-ip", "reset-email"), or their
	// budgets mix.
	Name string

	// Limit is the rate applied to each key. Required.
	Limit Limit

	// Key extracts the key from a request. Required; see [IPKey],
	// [UserKey], [FormKey] and [HashKey].
	Key KeyFunc

	// Cost is what one request spends. Default 1; at most Limit.Burst().
	Cost int
}

// Config configures a [Limiter].
type Config struct {
	// Rules are evaluated in order for every request. At least one is
	// required, at most 16. Evaluation stops at the first rule that denies,
	// so rules listed earlier are charged for requests that a later rule
	// rejects: list the broad rule (per IP) first and the targeted ones
	// (per account, per email) after it, so that an attacker spraying one
	// account spends their own IP budget too.
	Rules []Rule

	// Store keeps the budgets. Default: a new [MemoryStore] owned by this
	// Limiter. Use ratelimit/redisstore when several instances serve the
	// same users, or they each grant the full limit.
	Store Store

	// InsecureFailOpen lets requests through when the Store fails. Default
	// false: a store failure answers 503 Service Unavailable. Failing open
	// keeps the site up during a Redis outage but removes brute-force
	// protection exactly when an attacker may have caused the outage.
	InsecureFailOpen bool

	// OnLimited, if set, is called for every request denied by a rule,
	// before LimitedHandler. Use it to log or audit. It must be safe for
	// concurrent use and should not block.
	OnLimited func(r *http.Request, d Decision)

	// OnError, if set, is called for every store failure, whether the
	// request then fails closed or open. err wraps [ErrUnavailable] and the
	// store's error. It must be safe for concurrent use.
	OnError func(r *http.Request, err error)

	// LimitedHandler writes the response for a denied request. Default:
	// plain-text 429 Too Many Requests. The Limiter has already set
	// Retry-After and the RateLimit headers; the [Decision] is available
	// through [FromContext].
	LimitedHandler http.Handler

	// UnavailableHandler writes the response when the store fails and the
	// Limiter fails closed. Default: plain-text 503 Service Unavailable
	// with no internals. The [Decision] (with Err set) is available
	// through [FromContext].
	UnavailableHandler http.Handler

	// OmitHeaders stops the Limiter from sending the RateLimit and
	// RateLimit-Policy headers, which tell clients (attackers included)
	// the limits and their remaining budget. Default false: send them on
	// every response. Retry-After is always sent on 429.
	OmitHeaders bool
}

// Limiter is net/http middleware enforcing a set of [Rule]s per request.
// Create one per route or group of routes with [New]; it is safe for
// concurrent use. A Limiter not made by New (the zero value or nil) has
// no rules: its Check fails closed with [ErrUnavailable] and its Handler
// panics, rather than silently admitting everything.
type Limiter struct {
	rules       []rule
	store       Store
	failOpen    bool
	onLimited   func(*http.Request, Decision)
	onError     func(*http.Request, error)
	limited     http.Handler
	unavailable http.Handler
	headers     bool
	policy      string // precomputed RateLimit-Policy value
}

type rule struct {
	Rule
	prefix string // Name + ":"
	quoted string // Name as an RFC 8941 string
}

// Decision is the outcome of [Limiter.Check] for one request.
type Decision struct {
	// Allowed reports whether the request may proceed. It is true for a
	// store failure under InsecureFailOpen.
	Allowed bool

	// Rule is the name of the rule that denied the request, or "".
	Rule string

	// RetryAfter is how long the client must wait before retrying, when
	// denied.
	RetryAfter time.Duration

	// Results holds the result of each rule evaluated, in order. Skipped
	// rules (KeyFunc returned false) and rules after a denial are absent.
	Results []RuleResult

	// Err is the store failure, if any; it wraps [ErrUnavailable].
	Err error
}

// RuleResult is the result of one rule for one request.
type RuleResult struct {
	Rule   string // the rule's Name
	Result        // the store's decision for the rule's key
}

// ErrUnavailable wraps store failures reported by [Limiter.Check] and to
// [Config.OnError].
var ErrUnavailable = errors.New("ratelimit: store unavailable")

// errNotNew reports use of a Limiter that [New] did not create.
var errNotNew = errors.New("ratelimit: Limiter not created by New")

// ErrLimited is returned by [Limiter.Check] when a rule denies the request.
var ErrLimited = errors.New("ratelimit: rate limit exceeded")

// New validates cfg and returns a Limiter. The error names the offending
// field.
func New(cfg Config) (*Limiter, error) {
	if len(cfg.Rules) == 0 {
		return nil, errors.New("ratelimit: Config.Rules is empty")
	}
	if len(cfg.Rules) > maxRules {
		return nil, fmt.Errorf("ratelimit: Config.Rules has %d rules, at most %d allowed", len(cfg.Rules), maxRules)
	}
	l := &Limiter{
		store:       cfg.Store,
		failOpen:    cfg.InsecureFailOpen,
		onLimited:   cfg.OnLimited,
		onError:     cfg.OnError,
		limited:     cfg.LimitedHandler,
		unavailable: cfg.UnavailableHandler,
		headers:     !cfg.OmitHeaders,
	}
	if l.store == nil {
		l.store = NewMemoryStore(MemoryConfig{})
	}
	if l.limited == nil {
		l.limited = http.HandlerFunc(defaultLimited)
	}
	if l.unavailable == nil {
		l.unavailable = http.HandlerFunc(defaultUnavailable)
	}
	seen := make(map[string]bool, len(cfg.Rules))
	var policy strings.Builder
	for i, r := range cfg.Rules {
		if !validName(r.Name) {
			return nil, fmt.Errorf("ratelimit: Config.Rules[%d].Name %q must be 1-64 characters of a-z, 0-9, '-', '_', '.'", i, r.Name)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("ratelimit: Config.Rules[%d].Name %q is used twice", i, r.Name)
		}
		seen[r.Name] = true
		if r.Limit.Valid() != nil {
			return nil, fmt.Errorf("ratelimit: Config.Rules[%d].Limit (rule %q): %w", i, r.Name, ErrInvalidLimit)
		}
		if r.Key == nil {
			return nil, fmt.Errorf("ratelimit: Config.Rules[%d].Key (rule %q) is nil", i, r.Name)
		}
		if r.Cost == 0 {
			r.Cost = 1
		}
		if r.Cost < 0 || r.Cost > r.Limit.Burst() {
			return nil, fmt.Errorf("ratelimit: Config.Rules[%d].Cost (rule %q) = %d: %w", i, r.Name, r.Cost, ErrInvalidCost)
		}
		q := `"` + r.Name + `"`
		l.rules = append(l.rules, rule{Rule: r, prefix: r.Name + ":", quoted: q})
		if i > 0 {
			policy.WriteString(", ")
		}
		fmt.Fprintf(&policy, "%s;q=%d;w=%d", q, r.Limit.Rate(), ceilSeconds(r.Limit.Period()))
	}
	l.policy = policy.String()
	return l, nil
}

// MustNew is like [New] but panics on error; for tests and examples.
func MustNew(cfg Config) *Limiter {
	l, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return l
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Check evaluates the rules for r without writing a response: the
// decision half of [Limiter.Handler]. It charges the budgets of the rules
// that admit the request. The error is nil when the request is allowed,
// wraps [ErrLimited] when a rule denies it, and wraps [ErrUnavailable]
// when the store failed (then the Decision is allowed only under
// InsecureFailOpen). Check writes no headers and calls no hooks; those
// are the Handler's.
func (l *Limiter) Check(r *http.Request) (Decision, error) {
	if l == nil || l.store == nil {
		err := fmt.Errorf("%w: %w", ErrUnavailable, errNotNew)
		return Decision{Err: err}, err
	}
	d, results, err := l.check(r, make([]RuleResult, 0, len(l.rules)))
	d.Results = results
	return d, err
}

// check is Check returning the rule results apart from the Decision,
// appended to results: Handler keeps them in an array on its stack, which
// would escape if a Decision it hands out could point at it.
func (l *Limiter) check(r *http.Request, results []RuleResult) (Decision, []RuleResult, error) {
	ctx := r.Context()
	d := Decision{Allowed: true}
	for i := range l.rules {
		ru := &l.rules[i]
		key, ok := ru.Key(r)
		if !ok {
			continue
		}
		res, err := l.store.Allow(ctx, ru.prefix+key, ru.Limit, ru.Cost)
		if err != nil {
			err = fmt.Errorf("%w: rule %q: %w", ErrUnavailable, ru.Name, err)
			d.Err = err
			d.Allowed = l.failOpen
			return d, results, err
		}
		results = append(results, RuleResult{Rule: ru.Name, Result: res})
		if !res.Allowed {
			d.Allowed = false
			d.Rule = ru.Name
			d.RetryAfter = res.RetryAfter
			return d, results, fmt.Errorf("%w: rule %q", ErrLimited, ru.Name)
		}
	}
	return d, results, nil
}

// Handler returns middleware that enforces the rules before calling next.
// Denied requests get LimitedHandler (429 by default) with Retry-After;
// store failures get UnavailableHandler (503 by default) unless
// InsecureFailOpen. Unless OmitHeaders is set, every response carries the
// RateLimit-Policy and RateLimit headers. Panics if l was not created by
// [New], so a forgotten constructor fails at start-up instead of leaving
// the route unlimited.
func (l *Limiter) Handler(next http.Handler) http.Handler {
	if l == nil || l.store == nil {
		panic(errNotNew)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf [4]RuleResult
		d, results, err := l.check(r, buf[:0])
		if d.Err != nil && l.onError != nil {
			l.onError(r, d.Err)
		}
		if l.headers {
			l.setHeaders(w.Header(), results)
		}
		if d.Allowed {
			next.ServeHTTP(w, r)
			return
		}
		// Hooks and handlers may keep the Decision: give them their own
		// copy of the results. (make and copy rather than slices.Clone,
		// whose append the compiler assumes may return buf itself.)
		d.Results = make([]RuleResult, len(results))
		copy(d.Results, results)
		if errors.Is(err, ErrLimited) {
			w.Header().Set("Retry-After", strconv.FormatInt(max(1, ceilSeconds(d.RetryAfter)), 10))
			if l.onLimited != nil {
				l.onLimited(r, d)
			}
			l.limited.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), decisionKey{}, d)))
			return
		}
		l.unavailable.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), decisionKey{}, d)))
	})
}

// Canonical forms of the header names (http.CanonicalHeaderKey), so that
// setting them does not allocate a canonicalized copy per response.
const (
	headerPolicy    = "Ratelimit-Policy"
	headerRateLimit = "Ratelimit"
)

// setHeaders writes the RateLimit-Policy and RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers-09.
func (l *Limiter) setHeaders(h http.Header, results []RuleResult) {
	// Fresh slices for every response, since handlers may edit header
	// values in place, in one allocation: each holds one element and has
	// capacity one, so neither an edit nor an append reaches the other.
	vals := make([]string, 2)
	vals[0] = l.policy
	h[headerPolicy] = vals[0:1:1]
	if len(results) == 0 {
		return
	}
	b := make([]byte, 0, 128)
	for i, res := range results {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, l.quotedName(res.Rule)...)
		b = append(b, ";r="...)
		b = strconv.AppendInt(b, int64(res.Remaining), 10)
		b = append(b, ";t="...)
		b = strconv.AppendInt(b, ceilSeconds(res.ResetAfter), 10)
	}
	vals[1] = string(b)
	h[headerRateLimit] = vals[1:2:2]
}

func (l *Limiter) quotedName(name string) string {
	for i := range l.rules {
		if l.rules[i].Name == name {
			return l.rules[i].quoted
		}
	}
	return `"` + name + `"`
}

// ceilSeconds rounds d up to whole seconds.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

func defaultLimited(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
}

func defaultUnavailable(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
}

type decisionKey struct{}

// FromContext returns the [Decision] stored in ctx by the [Limiter] before
// it calls LimitedHandler or UnavailableHandler. It is not set for
// requests passed to the next handler.
func FromContext(ctx context.Context) (Decision, bool) {
	d, ok := ctx.Value(decisionKey{}).(Decision)
	return d, ok
}
