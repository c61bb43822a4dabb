package main

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
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
// label, and how to print it; the limit's figure to set beside it (vs:
// "" the same key, "-" none), and on which workloads it shows.
type figure struct {
	key, label string
	format     func(float64) string
	vs         string
	only       uint8
}

// Which workloads a figure shows on.
const (
	withChanges   uint8 = 1 << iota // workloads with edits and reactions
	withInstances                   // workloads on several instances
)

var (
	loadFigures = []figure{
		{"clients", "clients connected", count, "", 0},
		{"connects_per_s", "connections set up /s", count, "", 0},
		{"dropped", "sockets dropped by the server", count, "", 0},
		{"sent", "messages sent", count, "", 0},
		{"expected", "deliveries expected", count, "", 0},
		{"deliveries_per_s", "deliveries/s", count, "", 0},
		{"loss", "loss", count, "", 0},
		{"duplicates", "duplicates", count, "", 0},
		{"out_of_order", "out of order", count, "", 0},
		{"frames_sent", "frames sent (messages and changes)", count, "", withChanges},
		{"changes_sent", "changes sent (edits, reactions)", count, "-", withChanges},
		{"changes_read", "changes read (each by every client)", count, "-", withChanges},
		{"pos_expected", "room positions expected, Σ over clients", count, "-", 0},
		{"pos_missing", "room positions missing", count, "-", 0},
		{"pos_duplicates", "room positions read twice", count, "-", 0},
		{"pos_out_of_order", "room positions out of order", count, "-", 0},
		{"states_checked", "final states checked against the database", count, "-", 0},
		{"state_mismatches", "final states unlike the database", count, "-", 0},
		{"p50_ms", "latency p50 (ms)", millis, "", 0},
		{"p90_ms", "latency p90 (ms)", millis, "", 0},
		{"p99_ms", "latency p99 (ms)", millis, "", 0},
		{"max_ms", "latency max (ms)", millis, "", 0},
		{"change_p50_ms", "latency p50 of changes (ms)", millis, "p50_ms", withChanges},
		{"change_p99_ms", "latency p99 of changes (ms)", millis, "p99_ms", withChanges},
		{"same_p50_ms", "latency p50, sender on the receiver's instance (ms)", millis, "p50_ms", withInstances},
		{"same_p99_ms", "latency p99, sender on the receiver's instance (ms)", millis, "p99_ms", withInstances},
		{"cross_p50_ms", "latency p50, sender on the other instance (ms)", millis, "p50_ms", withInstances},
		{"cross_p99_ms", "latency p99, sender on the other instance (ms)", millis, "p99_ms", withInstances},
		{"cpu_us_per_delivery", "server CPU per delivery (µs)", decimal, "", 0},
		{"load_cpu_s", "charla-load CPU while sending (s)", decimal, "", 0},
		{"server_peak_rss_kb", "server peak RSS (MB)", megabytes, "", 0},
	}
	signupFigures = []figure{
		{"signups", "accounts signed up", count, "", 0},
		{"signups_per_s", "sign-ups /s", decimal, "", 0},
		{"signup_retries", "sign-ups answered busy (503), then made again", count, "", 0},
		{"signup_peak_rss_kb", "server peak RSS during sign-ups (MB)", megabytes, "", 0},
	}
	idleFigures = []figure{
		{"clients", "connections held", count, "", 0},
		{"connect_failures", "connect failures", count, "", 0},
		{"connects_per_s", "connections set up /s", count, "", 0},
		{"connect_cpu_ms", "server CPU per connection set up (ms)", millis, "", 0},
		{"rss_per_conn_kb", "RSS per connection (kB)", decimal, "", 0},
		{"server_rss_kb", "server RSS holding them (MB)", megabytes, "", 0},
		{"server_peak_rss_kb", "server peak RSS (MB)", megabytes, "", 0},
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

func report(rows []row, o options, machine string, skipped []string) []byte {
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
after the other, with connections opened at %d/s and senders sending for %s; %s

**The machine is shared** (other work runs on it at the same time), so absolute figures
move from run to run: read charla against the limit measured in the same run (charla ÷
limit), and a change between runs by that ratio, not by the raw figures. The last column is
that ratio in the run this file replaced.

![Latency distributions: charla, charla on two instances, the limit](%s)

## Results

| workload | figure | charla | limit | charla ÷ limit | charla ÷ limit, previous run |
| --- | --- | ---: | ---: | ---: | ---: |
`, time.Now().UTC().Format("2006-01-02 15:04 MST"), o.ramp, o.duration, pinning(o), svgLink(o))
	for _, r := range rows {
		figures := loadFigures
		switch {
		case r.signups > 0:
			figures = signupFigures
		case r.idle:
			figures = idleFigures
		}
		title := "**(" + r.name + ")** " + r.title
		for _, f := range figures {
			if f.only&withChanges != 0 && r.changes == 0 || f.only&withInstances != 0 && r.instances < 2 {
				continue
			}
			c := r.results[0].nums[f.key]
			limit, vs := "–", "–"
			if key := cmp.Or(f.vs, f.key); r.results[1].nums != nil && key != "-" {
				l := r.results[1].nums[key]
				limit, vs = f.format(l), ratio(c, l)
			}
			before := cmp.Or(o.previous[r.name+"\x00"+f.label], "–")
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", title, f.label, f.format(c), limit, vs, before)
			title = ""
		}
	}
	if c, d := find(rows, "c"), find(rows, "d"); c != nil && d != nil {
		var per [2]float64
		for i := range per {
			per[i] = (d.results[i].nums["server_rss_kb"] - c.results[i].nums["server_rss_kb"]) /
				(d.results[i].nums["clients"] - c.results[i].nums["clients"])
		}
		fmt.Fprintf(&b, "| **(d) − (c)** | RSS per extra connection (kB) | %s | %s | %s | %s |\n",
			decimal(per[0]), decimal(per[1]), ratio(per[0], per[1]), cmp.Or(o.previous["(d) − (c)\x00RSS per extra connection (kB)"], "–"))
	}
	if note := limitDrops(rows); note != "" {
		b.WriteString("\n" + note + "\n")
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "\nNot run: (%s), on two charla instances, as this charla has no NATS relay (it reads no `NATS_URL`); `-instances on` runs them anyway.\n", strings.Join(skipped, "), ("))
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
- The machine is shared and small, and latencies under load vary severalfold from run to
  run. Read differences in latency below about 2× as noise unless a second run agrees.
- **Changes (f, h)**: one send in five is, instead of a new message, a change: half edits of
  one of the sender's 32 most recent messages, half a reaction (of the six) toggled on one of
  the 32 most recent messages of the room, sent as the page sends them (`+"`kind`"+` edit or
  react). A change's frame carries no send time: the first client to read a change to a
  message takes the oldest change sent to that message not yet read, and every client
  reading that position measures from it. Latency rows count every delivery, messages and
  changes; "of changes" the changes alone. The limit relays the same number of frames.
- **Room positions**: every change to a room takes its next position (1, 2, 3…), carried
  as `+"`data-pos`"+` on each message's article. Every client must read each position after
  the cursor its page connected with, up to the room's newest in the database at the end,
  exactly once and in increasing order (a client that reconnected is owed the positions a
  later change superseded only as the message's current state, and they are not counted
  missing). **Final states**: for each message changed after a client connected, the last
  article it read (position, text, deleted or not, each reaction's count) must be the
  database's at the end (charla-load `+"`-db`"+`).
- **Two instances (g, h)**: two charla processes on one SQLite file, relaying room events
  through a NATS server (`+"`nats-server`"+` %s, run here), all three on the servers' CPU; client
  i connects to instance i mod 2, so half the senders and half the receivers are on each.
  "Sender on the other instance" is the latency of the deliveries that crossed NATS. Server
  CPU and RSS figures are the sum of the three processes. The limit runs as one process.
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

    make bench                              # every workload, about 10 minutes; rewrites this file and docs/bench-latency.svg
    go run ./cmd/charla-bench -only a,c     # some of them; also -duration, -ramp, -out, -pin, -instances, prebuilt -charla …

One workload by hand, against servers you start:

    make build && go build -o bin/ ./cmd/charla-limit ./cmd/charla-load
    bin/charla-limit -addr 127.0.0.1:8090 &
    bin/charla-load -raw -url ws://127.0.0.1:8090/ -clients 1000 -senders 10 -rate 10 -duration 10s -pid $!
    CHARLA_SEND_RATE=off DATABASE_URL=file:/tmp/load.db bin/charla &
    bin/charla-load -url http://127.0.0.1:8080/ -clients 5000 -idle -pid $!
    bin/charla-load -url http://127.0.0.1:8080/ -clients 1000 -changes 0.2 -db file:/tmp/load.db -pid $!

Two instances on one database, with a NATS server (`+"`go run "+natsServer+"@"+natsVersion+" -a 127.0.0.1 -p 4222`"+`):

    NATS_URL=nats://127.0.0.1:4222 ADDR=127.0.0.1:8081 DATABASE_URL=file:/tmp/load.db CHARLA_SEND_RATE=off bin/charla &
    NATS_URL=nats://127.0.0.1:4222 ADDR=127.0.0.1:8082 DATABASE_URL=file:/tmp/load.db CHARLA_SEND_RATE=off bin/charla &
    bin/charla-load -url http://127.0.0.1:8081/,http://127.0.0.1:8082/ -clients 1000 -changes 0.2 -db file:/tmp/load.db

The Go benchmarks (render, store, group commit, history in a room of 1,000,000 messages,
fan-out to 10,000 subscribers):

    go test -run '^$' -bench . ./db/ ./hub/ ./views/
`, natsVersion, machine)
	return b.Bytes()
}

// limitDrops says where the limit dropped sockets: there it fell behind,
// and its figures count only what it delivered before.
func limitDrops(rows []row) string {
	var where []string
	reused := ""
	for _, r := range rows {
		if r.limitOf != "" && find(rows, r.limitOf) != nil {
			reused = " (and the two-instance rows that reuse its figures)"
		}
		if n := r.results[1].nums["dropped"]; n > 0 && r.limitOf == "" {
			where = append(where, fmt.Sprintf("(%s) %s of %s", r.name, count(n), count(r.results[1].nums["clients"])))
		}
	}
	if len(where) == 0 {
		return ""
	}
	return "**Where the limit fell behind**: the limit dropped sockets that fell 64 frames behind in " +
		strings.Join(where, ", ") + reused + ". There its " +
		"latency counts only what it delivered before, and its loss is what it dropped: it is no " +
		"ceiling, and charla ÷ limit below 1× there says that charla, which writes what is queued as " +
		"one message, kept up where the limit's one message per frame did not. Compare charla's " +
		"figures in those rows across runs, or against its own one-instance rows."
}

// pinning says where the processes ran.
func pinning(o options) string {
	if o.pin {
		return "the servers (charla, its second instance and NATS where there are, the limit) ran on CPU " +
			serverCPU + " and charla-load on CPU " + loadCPU + " (`taskset`)."
	}
	return "the load generator shares the machine's cores with the server (not pinned)."
}

// svgLink is the drawing's path as BENCHMARKS.md links it.
func svgLink(o options) string {
	rel, err := filepath.Rel(filepath.Dir(o.out), o.svg)
	if err != nil {
		return o.svg
	}
	return filepath.ToSlash(rel)
}

// previousRatios reads the charla ÷ limit column of the file about to be
// rewritten: (workload name, figure label) → the ratio as printed.
func previousRatios(path string) map[string]string {
	out := map[string]string{}
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	name := ""
	for line := range strings.Lines(string(b)) {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) < 7 || !strings.HasPrefix(line, "| ") {
			continue
		}
		title, label, vs := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2]), strings.TrimSpace(cells[5])
		if t, ok := strings.CutPrefix(title, "**("); ok {
			name, _, _ = strings.Cut(t, ")**")
			if strings.HasPrefix(t, "d) − (c)") {
				name = "(d) − (c)"
			}
		}
		out[name+"\x00"+label] = vs
	}
	return out
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
