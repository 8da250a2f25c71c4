// Command compare runs Bulwark's side-by-side benchmarks against peer
// libraries and prints one table: case, implementation, ns/op, B/op,
// allocs/op and the ratio of each implementation's time to Bulwark's.
//
// Usage, from the repository root:
//
//	go run ./bench/cmd/compare                      # every comparison
//	go run ./bench/cmd/compare -bench 'Seal|Open'   # a subset
//	go run ./bench/cmd/compare -count 5 -benchtime 2s
//	go test -run '^$' -bench . -benchmem ./bench/... | go run ./bench/cmd/compare -in -
//
// Benchmarks are named Benchmark<Case>/<impl>, where impl is "bulwark" or a
// peer's short name (see DESIGN.md section 6). With -count above 1 the
// table shows the median of the runs. A ratio above 1 means the peer is
// slower than Bulwark.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bench := fs.String("bench", ".", "regular expression selecting benchmarks (passed to go test -bench)")
	benchtime := fs.String("benchtime", "1s", "go test -benchtime")
	count := fs.Int("count", 1, "runs per benchmark; the table shows the median")
	pkgs := fs.String("pkg", "./...", "bench module packages to run")
	in := fs.String("in", "", "read go test -bench output from this file ('-' for stdin) instead of running it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *count < 1 {
		return fmt.Errorf("-count must be at least 1")
	}

	var r io.Reader
	switch *in {
	case "":
		dir, err := benchDir()
		if err != nil {
			return err
		}
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", *bench, "-benchmem",
			"-benchtime", *benchtime, "-count", fmt.Sprint(*count), *pkgs)
		cmd.Dir = dir
		cmd.Stderr = stderr
		out, err := cmd.Output()
		if err != nil {
			stdout.Write(out)
			return fmt.Errorf("go test failed: %w", err)
		}
		r = strings.NewReader(string(out))
	case "-":
		r = os.Stdin
	default:
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	results, err := Parse(r)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("no Benchmark<Case>/<impl> results found")
	}
	fmt.Fprintf(stdout, "# %s/%s, GOMAXPROCS=%d\n", runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	return WriteTable(stdout, Summarize(results))
}

// benchDir finds the bench module's directory: ./bench from the repository
// root, or the current directory when run inside bench/.
func benchDir() (string, error) {
	for _, d := range []string{"bench", "."} {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/bulwark-go/bulwark/bench") {
			return d, nil
		}
	}
	return "", fmt.Errorf("run from the repository root or from bench/ (no bench module found)")
}
