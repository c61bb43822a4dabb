package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// row is one workload's results: charla's, then the limit's.
type row struct {
	workload
	results [2]result
}

// figure is one line of the table: a key of charla-load's result, its
// label, and how to print it.
type figure struct {
	key, label string
	format     func(float64) string
}

var (
	loadFigures = []figure{
		{"clients", "clients connected", count},
		{"connects_per_s", "connections set up /s", count},
		{"dropped", "sockets dropped by the server", count},
		{"sent", "messages sent", count},
		{"expected", "deliveries expected", count},
		{"deliveries_per_s", "deliveries/s", count},
		{"loss", "loss", count},
		{"duplicates", "duplicates", count},
		{"out_of_order", "out of order", count},
		{"p50_ms", "latency p50 (ms)", millis},
		{"p90_ms", "latency p90 (ms)", millis},
		{"p99_ms", "latency p99 (ms)", millis},
		{"max_ms", "latency max (ms)", millis},
		{"cpu_us_per_delivery", "server CPU per delivery (µs)", decimal},
		{"load_cpu_s", "charla-load CPU while sending (s)", decimal},
		{"server_peak_rss_kb", "server peak RSS (MB)", megabytes},
	}
	signupFigures = []figure{
		{"signups", "accounts signed up", count},
		{"signups_per_s", "sign-ups /s", decimal},
		{"signup_retries", "sign-ups answered busy (503), then made again", count},
		{"signup_peak_rss_kb", "server peak RSS during sign-ups (MB)", megabytes},
	}
	idleFigures = []figure{
		{"clients", "connections held", count},
		{"connect_failures", "connect failures", count},
		{"connects_per_s", "connections set up /s", count},
		{"connect_cpu_ms", "server CPU per connection set up (ms)", millis},
		{"rss_per_conn_kb", "RSS per connection (kB)", decimal},
		{"server_rss_kb", "server RSS holding them (MB)", megabytes},
		{"server_peak_rss_kb", "server peak RSS (MB)", megabytes},
	}
)

func count(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func millis(v float64) string  { return strconv.FormatFloat(v, 'f', 2, 64) }
func decimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
func megabytes(kb float64) string {
	return strconv.FormatFloat(kb/1024, 'f', 1, 64)
}

func ratio(charla, limit float64) string {
	if limit == 0 {
		return "–"
	}
	return strconv.FormatFloat(charla/limit, 'f', 2, 64) + "×"
}

func report(rows []row, o options, machine string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `# Benchmarks

Written by `+"`make bench`"+` (`+"`go run ./cmd/charla-bench -out BENCHMARKS.md`"+`) on %s;
run it again rather than editing this file.

charla is measured against **charla-limit** (`+"`cmd/charla-limit`"+`), about the least a
WebSocket chat server can do: it relays each text frame, verbatim and shared, to every
connection of its room, with no database, no HTML and no cookies. Both are driven by
**charla-load** (`+"`cmd/charla-load`"+`) over loopback. charla's clients speak what a browser
speaks: they load the page with a cookie jar, open the socket the page names with its
`+"`Origin`"+`, send hx-ws's JSON frames and read the HTML fragments that come back; the limit's
clients send and read plain text. Each workload runs on a fresh server of each kind, one
after the other, with connections opened at %d/s and senders sending for %s; the load
generator shares the machine's cores with the server.

## Results

| workload | figure | charla | limit | charla ÷ limit |
| --- | --- | ---: | ---: | ---: |
`, time.Now().UTC().Format("2006-01-02 15:04 MST"), o.ramp, o.duration)
	for _, r := range rows {
		figures := loadFigures
		switch {
		case r.signups > 0:
			figures = signupFigures
		case r.idle:
			figures = idleFigures
		}
		title := "**(" + r.name + ")** " + r.title
		for i, f := range figures {
			if i > 0 {
				title = ""
			}
			c, l := r.results[0][f.key], r.results[1][f.key]
			limit, vs := f.format(l), ratio(c, l)
			if r.results[1] == nil {
				limit, vs = "–", "–"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", title, f.label, f.format(c), limit, vs)
		}
	}
	if c, d := find(rows, "c"), find(rows, "d"); c != nil && d != nil {
		var per [2]float64
		for i := range per {
			per[i] = (d.results[i]["server_rss_kb"] - c.results[i]["server_rss_kb"]) /
				(d.results[i]["clients"] - c.results[i]["clients"])
		}
		fmt.Fprintf(&b, "| **(d) − (c)** | RSS per extra connection (kB) | %s | %s | %s |\n",
			decimal(per[0]), decimal(per[1]), ratio(per[0], per[1]))
	}
	fmt.Fprintf(&b, `
- A **delivery** is one message reaching one client. Expected deliveries are messages sent ×
  clients in the sender's room (the sender included). **Loss** is expected − distinct
  deliveries once sending stopped and no delivery came for 2 s; **duplicates** and **out of
  order** (a message from a sender read after a later one from the same sender) are counted
  per client. A dropped socket is one the server closed as too slow: charla's page would
  reconnect and recover, charla-load does not, and counts what it missed as loss.
- **Latency** runs from the send time written in the message to the moment the client read
  its frame (one clock: same machine). **Deliveries/s** is distinct deliveries over the time
  from the first send to the last delivery.
- **CPU** is user + system time from `+"`/proc`"+`: the server's from the first send until the
  stragglers are in, per delivery; charla-load's own over the same time shows whether the
  generator kept up. Connection set-up is paced by `+"`-ramp`"+`, at most 64 at a time; for charla
  it is a page load (with its database reads) and a handshake.
- **RSS** is the server's, from `+"`/proc/PID/status`"+`: peak is VmHWM over the server's life;
  RSS per connection is (VmRSS holding n idle sockets − VmRSS before connecting) / n, garbage
  not yet collected included. charla's "before" comes after its sign-ups, whose freed argon2id
  memory (about 20 MB) the connections then reuse, so its figure reads low by up to 20 MB / n;
  **(d) − (c)** divides the difference in RSS between 10,000 and 5,000 sockets by 5,000, which
  cancels every fixed cost.
- charla-limit writes each frame as its own WebSocket message; charla's socket writer sends
  whatever is queued as one message. A server that falls behind therefore makes fewer,
  larger writes in charla, and its 64-event queue holds more messages than the limit's 64
  frames, so under pressure charla can deliver more and drop fewer sockets: where charla ÷
  limit is below 1× on such a figure, the limit is no ceiling.
- The machine is shared and small: the generator and the server take turns on the same two
  cores, and latencies under load vary severalfold from run to run. Read differences in
  latency below about 2× as noise unless a second run agrees.
- **Sign-ups (s)**: 1,000 accounts signed up at the same time, each made again after
  `+"`Retry-After`"+` when the server answers busy (503: every argon2id slot, one per core, stayed
  taken for 5 s). Its peak RSS is VmHWM once the last account is in; the goal is under
  150 MB. charla runs it with `+"`CHARLA_SIGNUP_RATE=off`"+`, as all of charla-load's accounts
  come from one address.
- charla's clients share 100 accounts, as one person's tabs share a session: client i uses
  account i mod 100. Each sign-up costs an argon2id hash, so they are made one at a time
  before connecting. With several rooms an extra account creates them (public), and each
  account joins one; the limit's clients pick their room with `+"`?room=`"+`.

## Machine

%s
## Reproduce

    make bench                              # every workload, about 3 minutes; rewrites this file
    go run ./cmd/charla-bench -only a,c     # some of them; also -duration, -ramp, -out, prebuilt -charla …

One workload by hand, against servers you start:

    make build && go build -o bin/ ./cmd/charla-limit ./cmd/charla-load
    bin/charla-limit -addr 127.0.0.1:8090 &
    bin/charla-load -raw -url ws://127.0.0.1:8090/ -clients 1000 -senders 10 -rate 10 -duration 10s -pid $!
    CHARLA_SEND_RATE=off DATABASE_URL=file:/tmp/load.db bin/charla &
    bin/charla-load -url http://127.0.0.1:8080/ -clients 5000 -idle -pid $!

The Go benchmarks (render, store, group commit, history in a room of 1,000,000 messages,
fan-out to 10,000 subscribers):

    go test -run '^$' -bench . ./db/ ./hub/ ./views/
`, machine)
	return b.Bytes()
}

func find(rows []row, name string) *row {
	for i := range rows {
		if rows[i].name == name {
			return &rows[i]
		}
	}
	return nil
}

// machine describes where the figures come from, and how busy the machine
// was before the run.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		fmt.Sscanf(string(b), "MemTotal: %f kB", &kb)
		mem = strconv.FormatFloat(kb/(1<<20), 'f', 1, 64) + " GiB"
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	return fmt.Sprintf(`- CPU: %s, %d cores (nproc)
- memory: %s
- Go: %s %s/%s
- kernel: Linux %s
- open files: hard limit %d
- load average (1, 5, 15 min) before the run: %s
`, cpu, runtime.NumCPU(), mem, runtime.Version(), runtime.GOOS, runtime.GOARCH,
		strings.TrimSpace(string(kernel)), lim.Max, load)
}
