package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/bulwark-go/bulwark/ratelimit"
)

// Sign-in limited to 10 attempts per 15 minutes per IP and 5 per account.
func Example() {
	ipKey, err := ratelimit.IPKey(ratelimit.IPKeyConfig{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})
	if err != nil {
		panic(err)
	}
	emailKey, err := ratelimit.FormKey(ratelimit.FormKeyConfig{
		Field:  "email",
		Secret: []byte("load-32-random-bytes-from-config"), // the same on every instance
	})
	if err != nil {
		panic(err)
	}
	signIn := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{
		{Name: "signin-ip", Limit: ratelimit.Per(10, 15*time.Minute), Key: ipKey},
		{Name: "signin-account", Limit: ratelimit.Per(5, 15*time.Minute), Key: emailKey},
	}})
	h := signIn.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "signed in")
	}))

	for i := range 6 {
		form := url.Values{"email": {"alice@example.com"}}
		r := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = fmt.Sprintf("203.0.113.%d:5000", i) // a different IP each time
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("Retry-After"), w.Header().Get("RateLimit"))
	}
	// Output:
	// 200  "signin-ip";r=9;t=90, "signin-account";r=4;t=180
	// 200  "signin-ip";r=9;t=90, "signin-account";r=3;t=360
	// 200  "signin-ip";r=9;t=90, "signin-account";r=2;t=540
	// 200  "signin-ip";r=9;t=90, "signin-account";r=1;t=720
	// 200  "signin-ip";r=9;t=90, "signin-account";r=0;t=900
	// 429 180 "signin-ip";r=9;t=90, "signin-account";r=0;t=900
}

func ExampleMemoryStore() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	store := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{
		Now: func() time.Time { return now }, // a fake clock; omit in production
	})
	ctx := context.Background()
	otpSend := ratelimit.Per(3, 5*time.Minute)
	for range 4 {
		r, _ := store.Allow(ctx, "user-42", otpSend, 1)
		fmt.Println(r.Allowed, r.Remaining, r.RetryAfter)
	}
	now = now.Add(100 * time.Second)
	r, _ := store.Allow(ctx, "user-42", otpSend, 1)
	fmt.Println(r.Allowed, r.Remaining, r.RetryAfter)
	// Output:
	// true 2 0s
	// true 1 0s
	// true 0 0s
	// false 0 1m40s
	// true 0 0s
}

func ExamplePer() {
	fmt.Println(ratelimit.Per(10, 15*time.Minute))
	fmt.Println(ratelimit.PerMinute(40).Interval())
	fmt.Println(ratelimit.PerMinute(1).WithBurst(5))
	// Output:
	// 10/15m0s burst 10
	// 1.5s
	// 1/1m0s burst 5
}

func ExampleUserKey() {
	// sessionUser stands for the application's session lookup.
	sessionUser := func(r *http.Request) (string, bool) {
		c, err := r.Cookie("demo-user")
		if err != nil {
			return "", false
		}
		return c.Value, true
	}
	chat := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{
		{Name: "chat-user", Limit: ratelimit.PerMinute(40), Key: ratelimit.UserKey(sessionUser)},
	}})
	h := chat.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	codes := map[int]int{}
	for range 45 {
		r := httptest.NewRequest(http.MethodPost, "/chat", nil)
		r.AddCookie(&http.Cookie{Name: "demo-user", Value: "u1"})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		codes[w.Code]++
	}
	fmt.Println(codes[200], "sent,", codes[429], "limited")
	// Output: 40 sent, 5 limited
}
