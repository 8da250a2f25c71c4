//go:build linux

package ratelimitbench

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// threadCPU returns the CPU time consumed by the calling OS thread.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(1 /* RUSAGE_THREAD, Linux only */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCPUTimePerDecision measures the thread CPU time (not wall time) per
// decision of each memory impl, in interleaved rounds, and logs the best
// round of each. On a shared, overloaded machine wall-clock ns/op mostly
// measures the scheduler; CPU time is much steadier. Opt in with
// BENCH_CPU=1 (go test -run CPUTime -v ./ratelimit/).
func TestCPUTimePerDecision(t *testing.T) {
	if os.Getenv("BENCH_CPU") == "" {
		t.Skip("set BENCH_CPU=1 to measure")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	keys := benchKeys()
	ctx := context.Background()
	const n = 3_000_000
	best := map[string]time.Duration{}
	for range 7 {
		for _, impl := range MemoryImpls {
			allow, err := impl.New(benchN, benchPeriod)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				_, _ = allow(ctx, k)
			}
			start := threadCPU()
			for i := range n {
				_, _ = allow(ctx, keys[i%len(keys)])
			}
			per := (threadCPU() - start) / n
			if b, ok := best[impl.Name]; !ok || per < b {
				best[impl.Name] = per
			}
		}
	}
	for _, impl := range MemoryImpls {
		t.Logf("%-10s %5.1f ns CPU per decision (best of 7 rounds of %d)", impl.Name, float64(best[impl.Name]), n)
	}
}
