package redisstore_test

import (
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bulwark-go/bulwark/ratelimit"
	"github.com/bulwark-go/bulwark/ratelimit/redisstore"
)

func Example() {
	rdb := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:6379",
		// Bound how long a request can wait for a decision; the limiter
		// fails closed when Redis does not answer in time.
		DialTimeout:  500 * time.Millisecond,
		ReadTimeout:  500 * time.Millisecond,
		WriteTimeout: 500 * time.Millisecond,
	})
	store, err := redisstore.New(redisstore.Config{Client: rdb, Prefix: "myapp:ratelimit:"})
	if err != nil {
		panic(err)
	}
	ipKey, err := ratelimit.IPKey(ratelimit.IPKeyConfig{})
	if err != nil {
		panic(err)
	}
	signIn := ratelimit.MustNew(ratelimit.Config{
		Store: store,
		Rules: []ratelimit.Rule{{Name: "signin-ip", Limit: ratelimit.Per(10, 15*time.Minute), Key: ipKey}},
		OnError: func(r *http.Request, err error) {
			// Alert: every sign-in now answers 503 until Redis is back.
		},
	})
	mux := http.NewServeMux()
	mux.Handle("POST /signin", signIn.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
}
