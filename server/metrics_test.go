package server

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrape returns the metrics at addr, by name with labels (as the text
// format writes them), and the text itself.
func scrape(t *testing.T, addr string) (map[string]float64, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d\n%s", resp.StatusCode, b)
	}
	out := make(map[string]float64)
	for line := range strings.SplitSeq(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out, string(b)
}

// waitMetric polls until the metric reaches want.
func waitMetric(t *testing.T, addr, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, text := scrape(t, addr)
		if got[name] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v; want %v\n%s", name, got[name], want, grep(text, "charla_"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func grep(text, prefix string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// /metrics (CHARLA_METRICS_ADDR) counts what people did: messages
// committed and their batches, a refusal by the send limit, an open
// socket, the messages it replayed and the events fanned out to it; and it
// is not on the public address.
func TestMetricsCountWhatHappened(t *testing.T) {
	metricsAddr := freeAddr(t)
	addr := serveForTest(t, Config{MetricsAddr: metricsAddr, SendRate: 0.001}) // a burst of 1, then refusals
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the public address: %s; want 404", resp.Status)
	}
	v := signUp(t, addr, "meter")
	if status := v.send("metrics-key-0001", "one"); status >= 400 {
		t.Fatalf("first message: %d", status)
	}
	if status := v.send("metrics-key-0002", "two"); status != http.StatusTooManyRequests {
		t.Fatalf("second message within the burst of 1: %d; want 429", status)
	}
	waitMetric(t, metricsAddr, "charla_messages_committed_total", 1)
	waitMetric(t, metricsAddr, `charla_rate_limited_total{limit="send"}`, 1)
	waitMetric(t, metricsAddr, `charla_rate_limited_total{limit="signup"}`, 0)
	waitMetric(t, metricsAddr, "charla_commit_batch_messages_count", 1)
	waitMetric(t, metricsAddr, "charla_publish_seconds_count", 1)
	waitMetric(t, metricsAddr, `charla_commit_seconds_count{outcome="ok"}`, 1)

	v.dial(0) // missed the one message
	waitMetric(t, metricsAddr, "charla_sockets_open", 1)
	waitMetric(t, metricsAddr, "charla_replay_messages_sum", 1)
	waitMetric(t, metricsAddr, `charla_broker_connected{broker="in-process"}`, 1)

	// The socket's own message: published once, handed to one subscription.
	// (Three events in all: the two messages, and the socket's person
	// coming online, which nobody else was there to hear.)
	v2 := signUp(t, addr, "meter2")
	if status := v2.send("metrics-key-0003", "three"); status >= 400 {
		t.Fatalf("third message: %d", status)
	}
	waitMetric(t, metricsAddr, "charla_events_published_total", 3)
	waitMetric(t, metricsAddr, "charla_event_fanout_total", 1)
	waitMetric(t, metricsAddr, "charla_slow_client_drops_total", 0)
	_, text := scrape(t, metricsAddr)
	if !regexp.MustCompile(`(?m)^go_goroutines `).MatchString(text) {
		t.Errorf("no Go runtime metrics:\n%s", text)
	}
}

// The Grafana dashboard in docs/ asks only for metrics that /metrics has:
// a renamed metric must not leave an empty panel behind.
func TestDashboardQueriesExistingMetrics(t *testing.T) {
	dashboard, err := os.ReadFile("../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(dashboard) {
		t.Fatal("docs/grafana-dashboard.json is not valid JSON")
	}
	metricsAddr := freeAddr(t)
	serveForTest(t, Config{MetricsAddr: metricsAddr})
	_, text := scrape(t, metricsAddr)
	for _, name := range regexp.MustCompile(`\b(?:charla|go)_[a-z_]+`).FindAllString(string(dashboard), -1) {
		if !regexp.MustCompile(`(?m)^# TYPE ` + regexp.QuoteMeta(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")) + ` `).MatchString(text) {
			t.Errorf("the dashboard asks for %s, which /metrics does not have", name)
		}
	}
}
