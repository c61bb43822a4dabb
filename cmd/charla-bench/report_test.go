package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The previous run's charla ÷ limit column is read back by workload and
// figure, so that the new table can set it beside this run's.
func TestPreviousRatiosReadsTheTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	table := `| workload | figure | charla | limit | charla ÷ limit |
| --- | --- | ---: | ---: | ---: |
| **(a)** 100 clients | latency p50 (ms) | 2.78 | 3.70 | 0.75× |
|  | latency p99 (ms) | 4.44 | 6.13 | 0.72× |
| **(b)** 1,000 clients | latency p50 (ms) | 18.17 | 26.13 | 0.70× |
| **(d) − (c)** | RSS per extra connection (kB) | 19.1 | 30.5 | 0.63× |
`
	if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	got := previousRatios(path)
	for key, want := range map[string]string{
		"a\x00latency p50 (ms)":                      "0.75×",
		"a\x00latency p99 (ms)":                      "0.72×",
		"b\x00latency p50 (ms)":                      "0.70×",
		"(d) − (c)\x00RSS per extra connection (kB)": "0.63×",
	} {
		if got[key] != want {
			t.Errorf("%q: %q, want %q", strings.ReplaceAll(key, "\x00", " / "), got[key], want)
		}
	}
}

// The drawing is well-formed SVG with a curve and a legend entry for each
// distribution run.
func TestDrawLatencyDrawsEachDistribution(t *testing.T) {
	cdf := func(scale float64) []float64 {
		out := make([]float64, 201)
		for i := range out {
			out[i] = scale * (1 + float64(i)/10)
		}
		return out
	}
	rows := []row{
		{workload: workload{name: "b"}, results: [2]result{{cdf: cdf(1)}, {cdf: cdf(2)}}},
		{workload: workload{name: "g"}, results: [2]result{{cdf: cdf(1.5), crossCDF: cdf(1.8)}}},
	}
	svg := drawLatency(rows)
	dec := xml.NewDecoder(bytes.NewReader(svg))
	polylines := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "polyline" {
			polylines++
		}
	}
	if polylines != 4 {
		t.Errorf("%d curves, want 4 (charla, two instances, cross-instance, limit)", polylines)
	}
	for _, label := range []string{"charla (b)", "two instances (g): every delivery", "sender on the other instance", "limit (b)", "prefers-color-scheme: dark"} {
		if !bytes.Contains(svg, []byte(label)) {
			t.Errorf("no %q in the drawing", label)
		}
	}
}
