package redisstore_test

import (
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/bulwark-go/bulwark/totp"
	"github.com/bulwark-go/bulwark/totp/redisstore"
)

// One Store serves as replay store, attempt store and backup code store for
// every instance of the application.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	store, err := redisstore.New(rdb, redisstore.Config{KeyPrefix: "myapp:totp:"})
	if err != nil {
		panic(err)
	}
	verifier, err := totp.New(totp.Config{
		Issuer:       "Example Corp",
		ReplayStore:  store,
		AttemptStore: store,
	})
	if err != nil {
		panic(err)
	}
	_ = verifier
	fmt.Println("ok")
	// Output: ok
}
