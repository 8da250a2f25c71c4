package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Result is one benchmark line of go test output.
type Result struct {
	Case     string  // "Seal64" from BenchmarkSeal64/bulwark-8
	Impl     string  // "bulwark"
	NsPerOp  float64 // ns/op
	BPerOp   float64 // B/op, -1 when absent
	AllocsOp float64 // allocs/op, -1 when absent
}

// Row is the summary of all runs of one case and implementation.
type Row struct {
	Result
	Ratio float64 // NsPerOp / bulwark's NsPerOp for the same case; 0 if unknown
}

// maxLine bounds a parsed line; go test never writes longer benchmark lines.
const maxLine = 4096

// Parse reads go test -bench output and returns the results of benchmarks
// named Benchmark<Case>/<impl>. Other lines (PASS, ok, goos:, logs, and
// benchmarks without a sub-benchmark name) are skipped. Malformed benchmark
// lines are an error that names the line.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if !strings.HasPrefix(line, "Benchmark") || len(line) > maxLine {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || fields[3] != "ns/op" {
			// A benchmark that printed its name then logged or failed.
			continue
		}
		name := strings.TrimPrefix(fields[0], "Benchmark")
		// Strip the -GOMAXPROCS suffix.
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		c, impl, ok := strings.Cut(name, "/")
		if !ok || c == "" || impl == "" {
			continue
		}
		res := Result{Case: c, Impl: impl, BPerOp: -1, AllocsOp: -1}
		var err error
		if res.NsPerOp, err = strconv.ParseFloat(fields[2], 64); err != nil || !finite(res.NsPerOp) || res.NsPerOp < 0 {
			return nil, fmt.Errorf("line %d: bad ns/op %q", n, fields[2])
		}
		for i := 4; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil || !finite(v) || v < 0 {
				return nil, fmt.Errorf("line %d: bad value %q", n, fields[i])
			}
			switch fields[i+1] {
			case "B/op":
				res.BPerOp = v
			case "allocs/op":
				res.AllocsOp = v
			}
		}
		out = append(out, res)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Summarize groups results by case and implementation, takes the median of
// repeated runs, and computes each row's time ratio to bulwark's.
// Rows are ordered by case, then bulwark first, then by speed.
func Summarize(results []Result) []Row {
	type key struct{ c, impl string }
	groups := map[key][]Result{}
	var order []key
	for _, r := range results {
		k := key{r.Case, r.Impl}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	rows := make([]Row, 0, len(order))
	base := map[string]float64{}
	for _, k := range order {
		g := groups[k]
		row := Row{Result: Result{
			Case: k.c, Impl: k.impl,
			NsPerOp:  median(g, func(r Result) float64 { return r.NsPerOp }),
			BPerOp:   median(g, func(r Result) float64 { return r.BPerOp }),
			AllocsOp: median(g, func(r Result) float64 { return r.AllocsOp }),
		}}
		if k.impl == "bulwark" {
			base[k.c] = row.NsPerOp
		}
		rows = append(rows, row)
	}
	for i := range rows {
		if b := base[rows[i].Case]; b > 0 {
			rows[i].Ratio = rows[i].NsPerOp / b
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if c := strings.Compare(a.Case, b.Case); c != 0 {
			return c
		}
		if (a.Impl == "bulwark") != (b.Impl == "bulwark") {
			if a.Impl == "bulwark" {
				return -1
			}
			return 1
		}
		switch {
		case a.NsPerOp < b.NsPerOp:
			return -1
		case a.NsPerOp > b.NsPerOp:
			return 1
		}
		return 0
	})
	return rows
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func median(g []Result, f func(Result) float64) float64 {
	vs := make([]float64, len(g))
	for i, r := range g {
		vs[i] = f(r)
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// WriteTable prints rows as an aligned text table.
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\timpl\tns/op\tB/op\tallocs/op\tx bulwark\t")
	for _, r := range rows {
		ratio := "-"
		if r.Ratio > 0 {
			ratio = strconv.FormatFloat(r.Ratio, 'f', 2, 64)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Case, r.Impl,
			num(r.NsPerOp), num(r.BPerOp), num(r.AllocsOp), ratio)
	}
	return tw.Flush()
}

func num(v float64) string {
	switch {
	case v < 0:
		return "-"
	case v >= 100 || v == float64(int64(v)):
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
}
