package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// curve is one latency distribution to draw: quantiles 0…1 in ms.
type curve struct {
	label  string
	colour string
	dashed bool
	cdf    []float64
}

// The drawing's size and margins, in px; the legend goes under the
// plot, a line for each curve, where it hides none of them.
const (
	svgWidth, plotHeight                             = 760, 334
	marginLeft, marginRight, marginTop, marginBottom = 64, 24, 44, 52
	legendLine                                       = 20
)

// latencyCurves picks what to draw: charla on one instance, with changes,
// on two (and its cross-instance deliveries alone), and the limit.
func latencyCurves(rows []row) []curve {
	var cs []curve
	add := func(name string, i int, cross bool, label, colour string, dashed bool) {
		r := find(rows, name)
		if r == nil {
			return
		}
		cdf := r.results[i].cdf
		if cross {
			cdf = r.results[i].crossCDF
		}
		if len(cdf) > 1 {
			cs = append(cs, curve{label, colour, dashed, cdf})
		}
	}
	add("b", 0, false, "charla (b): 1,000 clients, 10 senders × 10 msg/s", "#3b82f6", false)
	add("f", 0, false, "charla with edits and reactions (f)", "#10b981", false)
	add("g", 0, false, "charla on two instances (g): every delivery", "#a855f7", false)
	add("g", 0, true, "charla on two instances (g): sender on the other instance", "#a855f7", true)
	add("b", 1, false, "limit (b): charla-limit, same load", "#f59e0b", false)
	return cs
}

// drawLatency draws the latency distributions of rows as an SVG: for each
// latency (log scale), the share of deliveries that took at most that
// long. Its colours read on a light and on a dark page.
func drawLatency(rows []row) []byte {
	cs := latencyCurves(rows)
	lo, hi := math.Inf(1), 0.0
	for _, c := range cs {
		for _, v := range c.cdf {
			if v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if hi == 0 {
		lo, hi = 1, 10
	}
	lo, hi = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	svgHeight := marginTop + plotHeight + marginBottom + legendLine*len(cs) + 8
	plotW, plotH := float64(svgWidth-marginLeft-marginRight), float64(plotHeight)
	x := func(ms float64) float64 {
		ms = max(ms, lo)
		return marginLeft + plotW*(math.Log10(ms)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}
	y := func(share float64) float64 { return marginTop + plotH*(1-share) }

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="title">
<title id="title">Delivery latency, as a share of deliveries taking at most that long (written by make bench)</title>
<style>
text { font: 12px system-ui, -apple-system, "Segoe UI", sans-serif; fill: #1f2937 }
.title { font-size: 14px; font-weight: 600 }
.axis { stroke: #4b5563; stroke-width: 1 }
.grid { stroke: #9ca3af; stroke-opacity: 0.35; stroke-width: 1 }
.curve { fill: none; stroke-width: 2 }
@media (prefers-color-scheme: dark) {
  text { fill: #e5e7eb }
  .axis { stroke: #d1d5db }
  .grid { stroke: #6b7280; stroke-opacity: 0.5 }
}
</style>
<text class="title" x="%d" y="24">Delivery latency (CDF): share of deliveries that took at most x ms</text>
`, svgWidth, svgHeight, svgWidth, svgHeight, marginLeft)
	// Grid and ticks: 1, 2, 5 × 10^k on x; every 25 % on y.
	for decade := lo; decade < hi*1.0001; decade *= 10 {
		for _, m := range []float64{1, 2, 5} {
			v := decade * m
			if v > hi*1.0001 {
				break
			}
			px := x(v)
			fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%d" x2="%.1f" y2="%.1f"/>`+"\n", px, marginTop, px, y(0))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px, y(0)+18, tick(v))
		}
	}
	for q := 0.0; q <= 1.0001; q += 0.25 {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`+"\n", marginLeft, y(q), svgWidth-marginRight, y(q))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%.0f%%</text>`+"\n", marginLeft-8, y(q)+4, q*100)
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`+"\n", marginLeft, y(0), svgWidth-marginRight, y(0))
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%.1f"/>`+"\n", marginLeft, marginTop, marginLeft, y(0))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">latency, ms (log scale): from the send to the frame read by each client</text>`+"\n",
		marginLeft+plotW/2, y(0)+40)
	for _, c := range cs {
		fmt.Fprintf(&b, `<polyline class="curve" stroke="%s"`, c.colour)
		if c.dashed {
			b.WriteString(` stroke-dasharray="6 4"`)
		}
		b.WriteString(` points="`)
		for i, v := range c.cdf {
			fmt.Fprintf(&b, "%.1f,%.1f ", x(v), y(float64(i)/float64(len(c.cdf)-1)))
		}
		b.WriteString("\"/>\n")
	}
	for i, c := range cs {
		ly := y(0) + float64(marginBottom) + 6 + float64(i*legendLine)
		dash := ""
		if c.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<line class="curve" stroke="%s"%s x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`+"\n", c.colour, dash, marginLeft+12, ly, marginLeft+40, ly)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f">%s</text>`+"\n", marginLeft+48, ly+4, html.EscapeString(c.label))
	}
	if len(cs) == 0 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">no load workload was run</text>`+"\n", marginLeft+plotW/2, marginTop+plotH/2)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func tick(ms float64) string {
	if ms < 1 {
		return fmt.Sprintf("%g", math.Round(ms*1000)/1000)
	}
	return fmt.Sprintf("%.0f", ms)
}
