package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real go test -bench transcript, trimmed, with the usual noise lines.
const transcript = `goos: linux
goarch: amd64
pkg: github.com/bulwark-go/bulwark/bench/sealbox
cpu: Intel(R) Xeon(R) CPU @ 2.20GHz
BenchmarkSeal64/bulwark-2         	 1000000	      1200 ns/op	     240 B/op	       4 allocs/op
BenchmarkSeal64/fernet-2          	  500000	      2400 ns/op	    1024 B/op	      20 allocs/op
BenchmarkSeal64/bulwark-2         	 1000000	      1000 ns/op	     240 B/op	       4 allocs/op
BenchmarkSeal64/bulwark-2         	 1000000	      1100 ns/op	     240 B/op	       4 allocs/op
BenchmarkSeal64/aesgcm-2          	 5000000	       275.5 ns/op
BenchmarkLonely-2                 	 1000000	        10 ns/op
BenchmarkBroken/bulwark
    bench_test.go:12: something logged
--- FAIL: BenchmarkBroken/bulwark
PASS
ok  	github.com/bulwark-go/bulwark/bench/sealbox	12.3s
`

func TestParseAndSummarize(t *testing.T) {
	results, err := Parse(strings.NewReader(transcript))
	require.NoError(t, err)
	require.Len(t, results, 5, "five Benchmark<Case>/<impl> lines")

	rows := Summarize(results)
	want := []Row{
		{Result: Result{Case: "Seal64", Impl: "bulwark", NsPerOp: 1100, BPerOp: 240, AllocsOp: 4}, Ratio: 1},
		{Result: Result{Case: "Seal64", Impl: "aesgcm", NsPerOp: 275.5, BPerOp: -1, AllocsOp: -1}, Ratio: 275.5 / 1100},
		{Result: Result{Case: "Seal64", Impl: "fernet", NsPerOp: 2400, BPerOp: 1024, AllocsOp: 20}, Ratio: 2400.0 / 1100},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Fatalf("Summarize mismatch (-want +got):\n%s", diff)
	}

	var buf bytes.Buffer
	require.NoError(t, WriteTable(&buf, rows))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, []string{"Seal64", "fernet", "2400", "1024", "20", "2.18"}, strings.Fields(lines[3]))
	assert.Equal(t, []string{"Seal64", "aesgcm", "276", "-", "-", "0.25"}, strings.Fields(lines[2]))
}

func TestParseRejectsMalformedNumbers(t *testing.T) {
	_, err := Parse(strings.NewReader("BenchmarkX/bulwark-2 10 abc ns/op\n"))
	require.ErrorContains(t, err, "line 1")
	_, err = Parse(strings.NewReader("BenchmarkX/bulwark-2 10 5 ns/op x B/op\n"))
	require.ErrorContains(t, err, "bad value")
}

func TestMedianOfEvenCount(t *testing.T) {
	got := median([]Result{{NsPerOp: 4}, {NsPerOp: 1}, {NsPerOp: 3}, {NsPerOp: 2}}, func(r Result) float64 { return r.NsPerOp })
	assert.Equal(t, 2.5, got)
}

func FuzzParse(f *testing.F) {
	f.Add(transcript)
	f.Add("BenchmarkA/b-1 1 1 ns/op 1 B/op 1 allocs/op")
	f.Add("Benchmark/-2 1 NaN ns/op")
	f.Fuzz(func(t *testing.T, s string) {
		results, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		rows := Summarize(results)
		var buf bytes.Buffer
		if err := WriteTable(&buf, rows); err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.Case == "" || r.Impl == "" {
				t.Fatalf("empty case or impl in %+v", r)
			}
		}
	})
}

func TestParseRejectsNonFinite(t *testing.T) {
	for _, in := range []string{"BenchmarkX/bulwark-2 1 NaN ns/op", "BenchmarkX/bulwark-2 1 +Inf ns/op", "BenchmarkX/bulwark-2 1 5 ns/op -3 B/op"} {
		_, err := Parse(strings.NewReader(in))
		assert.Error(t, err, "Parse(%q)", in)
	}
}
