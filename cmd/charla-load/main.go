// Command charla-load is a load generator that speaks to charla what a
// browser speaks. It first signs up a few accounts (and creates rooms, with
// -rooms); then each client, a browser tab with its account's cookies,
// loads its room's page, opens the socket the page names, sends the
// composer's JSON frames and reads the HTML fragments that come back. Like
// the page, a client whose socket the server closes reconnects, asking for
// what it missed, and sends again what the server had not answered, so the
// loss it reports is what a person would lose. It reports every delivery's
// loss, duplicates, order and latency, and the server's CPU and memory.
//
// With -raw it speaks plain text frames to charla-limit, the baseline.
//
// A summary for people goes to stderr; the last line of stdout is one JSON
// object (see result), for charla-bench.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charla/charla/db"
)

type options struct {
	targets  []string
	clients  int
	senders  int
	rate     float64
	duration time.Duration
	rooms    int
	accounts int
	// signupsAtOnce is how many accounts are signed up at the same time.
	signupsAtOnce int
	ramp          float64
	idle          bool
	pid           int   // the server's (the first, with several)
	pids          []int // every server process whose CPU and memory count
	raw           bool
	drain         time.Duration
	// changes is the share of what senders send that is a change to a
	// message (an edit or a reaction) rather than a new one.
	changes float64
	// database is the servers' DATABASE_URL, read at the end to check
	// every client's view of its room (store, when set, instead: tests).
	database string
	store    *db.Store
}

func main() {
	var o options
	flag.Func("url", "charla's `URL` (with -raw, charla-limit's socket URL); repeat or comma-separate to spread clients over instances of one charla, sharing its database: client i goes to URL i mod n (default http://127.0.0.1:8080/)", func(s string) error {
		for t := range strings.SplitSeq(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				o.targets = append(o.targets, t)
			}
		}
		return nil
	})
	flag.IntVar(&o.clients, "clients", 100, "clients to connect")
	flag.IntVar(&o.senders, "senders", 10, "how many of the clients (the first ones) also send")
	flag.Float64Var(&o.rate, "rate", 10, "messages per second per sender")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long senders send")
	flag.IntVar(&o.rooms, "rooms", 1, "rooms to spread clients over (client i joins room i mod rooms)")
	flag.IntVar(&o.accounts, "accounts", 100, "accounts to sign up on charla (rounded up to a multiple of -rooms); client i uses account i mod accounts")
	flag.IntVar(&o.signupsAtOnce, "signups-at-once", 1, "accounts signed up at the same time (each made again, after Retry-After, while the server answers busy)")
	flag.Float64Var(&o.ramp, "ramp", 500, "new connections per second")
	flag.BoolVar(&o.idle, "idle", false, "connect and hold the sockets only: no senders")
	flag.Func("pid", "server `PID` whose CPU and memory to report (from /proc); comma-separate several (instances, their broker) to report their sum", func(s string) error {
		for f := range strings.SplitSeq(s, ",") {
			pid, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return err
			}
			o.pids = append(o.pids, pid)
		}
		o.pid = o.pids[0]
		return nil
	})
	flag.BoolVar(&o.raw, "raw", false, "speak plain text frames to charla-limit: no page, frames sent and received verbatim")
	flag.Float64Var(&o.changes, "changes", 0, "share of what senders send that changes a message instead of posting one: half edits of their own recent messages, half reactions toggled on any recent one (e.g. 0.2: one in five)")
	flag.StringVar(&o.database, "db", "", "the servers' DATABASE_URL (TURSO_AUTH_TOKEN from the environment), read at the end to check each client's room positions and final states against it")
	flag.DurationVar(&o.drain, "drain", 2*time.Second, "after sending, how long to wait for the next delivery or reconnection before counting the rest as lost (with -idle: how long to hold the sockets before reading the server's memory)")
	flag.Parse()
	if len(o.targets) == 0 {
		o.targets = []string{"http://127.0.0.1:8080/"}
	}
	if o.idle {
		o.senders = 0
	}
	if o.clients < 1 || o.senders < 0 || o.senders > o.clients || o.rooms < 1 || o.accounts < 1 || o.signupsAtOnce < 1 || o.rate <= 0 || o.ramp <= 0 || o.changes < 0 || o.changes >= 1 {
		fmt.Fprintln(os.Stderr, "charla-load: want clients ≥ 1, 0 ≤ senders ≤ clients, rooms ≥ 1, accounts ≥ 1, signups-at-once ≥ 1, rate > 0, ramp > 0, 0 ≤ changes < 1")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "charla-load:", err)
		os.Exit(1)
	}
	res.print(o)
	line, _ := json.Marshal(res)
	fmt.Println(string(line))
}

// result is the JSON line charla-bench reads. Latencies are from the send
// time written in the message to the moment its frame was read; RSS figures
// are in kB, from /proc/PID/status.
type result struct {
	// Set-up: accounts signed up, how fast, how often the server said
	// busy, and the server's peak RSS once they were in.
	Signups         int     `json:"signups"`
	SignupsPerS     float64 `json:"signups_per_s"`
	SignupRetries   int64   `json:"signup_retries"`
	SignupPeakRSSkB int64   `json:"signup_peak_rss_kb"`

	Clients         int     `json:"clients"`
	ConnectFailures int     `json:"connect_failures"`
	ConnectsPerS    float64 `json:"connects_per_s"` // page load and handshake, paced by -ramp
	ConnectCPUms    float64 `json:"connect_cpu_ms"` // server CPU per connection set up
	Dropped         int     `json:"dropped"`        // sockets the server closed before the end
	Reconnects      int     `json:"reconnects"`     // of which reopened (with ?after=, as the page does)
	Resent          int     `json:"resent"`         // messages unanswered when their socket closed, sent again with their keys
	Unanswered      int     `json:"unanswered"`     // messages the server never answered (stored or refused)
	Sent            int     `json:"sent"`
	Rejected        int     `json:"rejected"` // sends the server answered with an error
	ChangesSent     int     `json:"changes_sent"`
	FramesSent      int     `json:"frames_sent"`      // messages and changes
	ChangesRejected int     `json:"changes_rejected"` // changes the server answered with a problem
	ChangesRead     int64   `json:"changes_read"`     // change deliveries
	Expected        int64   `json:"expected"`
	Received        int64   `json:"received"`
	Loss            int64   `json:"loss"`
	Duplicates      int     `json:"duplicates"`
	OutOfOrder      int     `json:"out_of_order"`
	DeliveriesPerS  float64 `json:"deliveries_per_s"`
	P50ms           float64 `json:"p50_ms"`
	P90ms           float64 `json:"p90_ms"`
	P99ms           float64 `json:"p99_ms"`
	MaxMs           float64 `json:"max_ms"`
	// Room positions (see positions.go), counted per client: those after
	// its first cursor up to the room's newest at the end, read, missing,
	// read twice, read after a later one; skipped are those a reconnected
	// client was owed only as their message's current state. States: each
	// message changed after a client connected, whose last state read
	// must be the database's (db_checked 1) at the end.
	PosExpected     int64 `json:"pos_expected"`
	PosReceived     int64 `json:"pos_received"`
	PosMissing      int64 `json:"pos_missing"`
	PosSkipped      int64 `json:"pos_skipped"`
	PosDuplicates   int   `json:"pos_duplicates"`
	PosOutOfOrder   int   `json:"pos_out_of_order"`
	StatesChecked   int   `json:"states_checked"`
	StateMismatches int   `json:"state_mismatches"`
	DBChecked       int   `json:"db_checked"`
	// Latency of the changes alone; and, over several instances, of the
	// deliveries whose sender was on the receiver's instance (same) and on
	// another (cross).
	ChangeP50ms float64 `json:"change_p50_ms"`
	ChangeP99ms float64 `json:"change_p99_ms"`
	Instances   int     `json:"instances"`
	SameP50ms   float64 `json:"same_p50_ms"`
	SameP99ms   float64 `json:"same_p99_ms"`
	CrossP50ms  float64 `json:"cross_p50_ms"`
	CrossP99ms  float64 `json:"cross_p99_ms"`
	// The latency distributions, for charla-bench's drawing: the
	// quantiles 0, 1/cdfSteps, …, 1 in ms, of every delivery and of the
	// cross-instance ones.
	CDFms      []float64 `json:"cdf_ms,omitempty"`
	CrossCDFms []float64 `json:"cross_cdf_ms,omitempty"`
	// CPU used from the first send until the stragglers are in: the
	// server's, per delivery, and charla-load's own (is it the bottleneck?).
	ServerCPUs       float64 `json:"server_cpu_s"`
	CPUusPerDelivery float64 `json:"cpu_us_per_delivery"`
	LoadCPUs         float64 `json:"load_cpu_s"`
	ServerPeakRSSkB  int64   `json:"server_peak_rss_kb"`
	ServerRSSkB      int64   `json:"server_rss_kb"`
	RSSPerConnkB     float64 `json:"rss_per_conn_kb,omitempty"`
}

func run(ctx context.Context, o options) (result, error) {
	var res result
	runID := rand.Text()[:10] // names and keys stay unique across runs on one database
	// One transport for every page load: a few kept-alive connections
	// serve them all, so a client holds one socket to the server, not two.
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	var sites []*site // one per target; none with -raw
	setUpStart := time.Now()
	if !o.raw {
		// The targets are instances of one charla, on one database: the
		// accounts and rooms made through the first serve on every one.
		s, err := setUp(ctx, o, o.targets[0], runID, transport)
		if err != nil {
			return res, fmt.Errorf("set up %s: %w", o.targets[0], err)
		}
		res.Signups += len(s.accounts)
		res.SignupRetries += s.retries.Load()
		for _, t := range o.targets {
			other, err := s.on(t)
			if err != nil {
				return res, err
			}
			sites = append(sites, other)
		}
	}
	res.Instances = len(o.targets)
	changes := newChangeLog()
	if res.Signups > 0 {
		res.SignupsPerS = float64(res.Signups) / time.Since(setUpStart).Seconds()
		res.SignupPeakRSSkB = serversStatus(o, "VmHWM")
	}
	rssBefore, cpuBefore := serversStatus(o, "VmRSS"), serversCPU(o)

	connectStart := time.Now()
	clients, failures := connect(ctx, o, sites, transport, changes)
	res.Clients, res.ConnectFailures = len(clients), failures
	if len(clients) == 0 {
		return res, errors.New("no client could connect")
	}
	res.ConnectsPerS = float64(len(clients)) / time.Since(connectStart).Seconds()
	res.ConnectCPUms = (serversCPU(o) - cpuBefore).Seconds() * 1000 / float64(len(clients))

	var start time.Time // of sending
	if o.idle {
		time.Sleep(o.drain)
		res.ServerRSSkB = serversStatus(o, "VmRSS")
		if o.pid != 0 {
			res.RSSPerConnkB = float64(res.ServerRSSkB-rssBefore) / float64(len(clients))
		}
	} else {
		churn := startChurn(ctx, o, sites, transport) // see churn.go
		cpuBefore, ownBefore := serversCPU(o), ownCPU()
		start = time.Now()
		sent, changed := sendAll(ctx, clients, o, runID)
		for s, n := range sent {
			res.Sent += n
			res.ChangesSent += changed[s]
		}
		res.FramesSent = res.Sent + res.ChangesSent
		res.Expected = expected(clients, sent)
		waitForStragglers(ctx, clients, res.Expected, o.drain)
		churn.finish()
		res.ServerRSSkB = serversStatus(o, "VmRSS")
		res.ServerCPUs = (serversCPU(o) - cpuBefore).Seconds()
		res.LoadCPUs = (ownCPU() - ownBefore).Seconds()
	}
	res.ServerPeakRSSkB = serversStatus(o, "VmHWM")

	for _, c := range clients {
		c.close()
	}
	var last time.Time // delivery
	for _, c := range clients {
		<-c.done
		t := &c.tally
		if t.last.After(last) {
			last = t.last
		}
		res.Received += t.received.Load()
		res.ChangesRead += t.changesRead.Load()
		res.Duplicates += t.duplicates
		res.OutOfOrder += t.outOfOrder
		res.Rejected += t.rejected
		res.ChangesRejected += t.changesRejected
		res.Dropped += c.drops
		res.Reconnects += c.reconnects
		res.Resent += c.resent
		res.Unanswered += len(c.pending)
	}
	res.Loss = res.Expected - res.Received
	if res.Received > 0 {
		res.DeliveriesPerS = float64(res.Received+res.ChangesRead) / last.Sub(start).Seconds()
		res.CPUusPerDelivery = res.ServerCPUs * 1e6 / float64(res.Received+res.ChangesRead)
	}
	res.latencies(clients)
	if !o.raw && !o.idle {
		if err := res.checkPositions(ctx, o, clients); err != nil {
			return res, err
		}
	}
	return res, nil
}

// cdfSteps is how many steps the latency distributions are drawn in.
const cdfSteps = 200

// latencies sums up every client's delivery latencies.
func (res *result) latencies(clients []*client) {
	var all, change, same, cross []time.Duration
	for _, c := range clients {
		for _, s := range c.tally.samples {
			all = append(all, s.d)
			if s.flags&ofChange != 0 {
				change = append(change, s.d)
			}
			if s.flags&crossInstance != 0 {
				cross = append(cross, s.d)
			} else {
				same = append(same, s.d)
			}
		}
	}
	for _, l := range [][]time.Duration{all, change, same, cross} {
		slices.Sort(l)
	}
	res.P50ms, res.P90ms, res.P99ms = ms(percentile(all, 0.50)), ms(percentile(all, 0.90)), ms(percentile(all, 0.99))
	if len(all) > 0 {
		res.MaxMs = ms(all[len(all)-1])
	}
	res.ChangeP50ms, res.ChangeP99ms = ms(percentile(change, 0.50)), ms(percentile(change, 0.99))
	res.CDFms = cdf(all)
	if res.Instances > 1 {
		res.SameP50ms, res.SameP99ms = ms(percentile(same, 0.50)), ms(percentile(same, 0.99))
		res.CrossP50ms, res.CrossP99ms = ms(percentile(cross, 0.50)), ms(percentile(cross, 0.99))
		res.CrossCDFms = cdf(cross)
	}
}

// cdf returns the quantiles 0, 1/cdfSteps, …, 1 of sorted, in ms.
func cdf(sorted []time.Duration) []float64 {
	if len(sorted) == 0 {
		return nil
	}
	out := make([]float64, cdfSteps+1)
	for i := range out {
		k := min(len(sorted)-1, i*(len(sorted)-1)/cdfSteps)
		out[i] = ms(sorted[k])
	}
	return out
}

// checkPositions checks what each client read of its room's positions,
// and the last state it read of each message, against the database at
// the end (without one, against the newest position any client read).
func (res *result) checkPositions(ctx context.Context, o options, clients []*client) error {
	rooms := map[int64]roomState{}
	store := o.store
	if store == nil && o.database != "" {
		s, err := db.Open(ctx, o.database, os.Getenv("TURSO_AUTH_TOKEN"))
		if err != nil {
			return err
		}
		defer s.Close()
		store = s
	}
	for _, c := range clients {
		if _, ok := rooms[c.roomID]; ok {
			continue
		}
		var room roomState
		if store != nil {
			msgs, err := store.ChangedAfter(ctx, c.roomID, 0, maxChecked)
			if err != nil {
				return fmt.Errorf("read room %d: %w", c.roomID, err)
			}
			room = roomState{known: true, msgs: msgs, current: make(map[int64]bool, len(msgs))}
			for _, m := range msgs {
				room.newest = max(room.newest, m.Pos)
				room.current[m.Pos] = true
			}
			res.DBChecked = 1
		} else {
			for _, other := range clients {
				if other.roomID == c.roomID {
					room.newest = max(room.newest, other.tally.pos.last)
				}
			}
		}
		rooms[c.roomID] = room
	}
	for _, c := range clients {
		p := &c.tally.pos
		v := p.check(rooms[c.roomID], c.reconnects > 0)
		res.PosExpected += v.expected
		res.PosReceived += v.received
		res.PosMissing += v.missing
		res.PosSkipped += v.skipped
		res.PosDuplicates += p.duplicates
		res.PosOutOfOrder += p.outOfOrder
		res.StatesChecked += v.checked
		res.StateMismatches += v.mismatch
		if v.mismatch > 0 && res.StateMismatches == v.mismatch {
			fmt.Fprintf(os.Stderr, "charla-load: client %d: last state read differs from the database for messages %v\n", c.index, v.mismatchE)
		}
	}
	return nil
}

// maxChecked bounds the messages of a room read back for the check.
const maxChecked = 1 << 20

// maxConnecting bounds the connections being set up at once: a server
// slower than -ramp sees a queue of clients, not a storm.
const maxConnecting = 64

// connect opens o.clients sessions, starting at most o.ramp a second, and
// returns those that opened, in client order, each already reading.
func connect(ctx context.Context, o options, sites []*site, transport http.RoundTripper, changes *changeLog) ([]*client, int) {
	slots := make([]*client, o.clients)
	var firstErr sync.Once
	var wg sync.WaitGroup
	connecting := make(chan struct{}, maxConnecting)
	pace := time.NewTicker(time.Duration(float64(time.Second) / o.ramp))
	defer pace.Stop()
	for i := range o.clients {
		if i > 0 {
			select {
			case <-pace.C:
			case <-ctx.Done():
			}
		}
		select {
		case connecting <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-connecting }()
			var s *site
			if sites != nil {
				s = sites[i%len(sites)]
			}
			c, err := open(ctx, o, i, s, transport, changes)
			if err != nil {
				firstErr.Do(func() { fmt.Fprintf(os.Stderr, "charla-load: client %d: %v\n", i, err) })
				return
			}
			slots[i] = c
		})
	}
	wg.Wait()
	clients := slices.DeleteFunc(slots, func(c *client) bool { return c == nil })
	return clients, o.clients - len(clients)
}

// sendAll makes the first o.senders clients send for o.duration and returns
// how many messages and changes each sent. A sender's number is its
// client's.
func sendAll(ctx context.Context, clients []*client, o options, runID string) (sent, changed []int) {
	sent, changed = make([]int, min(o.senders, len(clients))), make([]int, min(o.senders, len(clients)))
	var wg sync.WaitGroup
	for s := range sent {
		wg.Go(func() { sent[s], changed[s] = clients[s].send(ctx, clients[s].index, o, runID) })
	}
	wg.Wait()
	return sent, changed
}

// expected is how many deliveries there should be: each message sent to
// every client of its sender's room, the sender included.
func expected(clients []*client, sent []int) int64 {
	inRoom := map[int]int64{}
	for _, c := range clients {
		inRoom[c.room]++
	}
	var n int64
	for s, k := range sent {
		n += int64(k) * inRoom[clients[s].room]
	}
	return n
}

// waitForStragglers returns once every expected delivery has arrived, or
// none has for quiet while no client was reconnected either: what has not
// come by then is lost.
func waitForStragglers(ctx context.Context, clients []*client, expected int64, quiet time.Duration) {
	got, since := received(clients), time.Now()
	up := connected(clients)
	for got < expected && time.Since(since) < quiet && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		if n := received(clients); n > got {
			got, since = n, time.Now()
		}
		if n := connected(clients); n > up {
			since = time.Now()
		}
		up = connected(clients)
	}
}

// connected counts the clients whose socket is open now.
func connected(clients []*client) int {
	n := 0
	for _, c := range clients {
		c.mu.Lock()
		if c.conn != nil {
			n++
		}
		c.mu.Unlock()
	}
	return n
}

func received(clients []*client) int64 {
	var n int64
	for _, c := range clients {
		n += c.tally.received.Load()
	}
	return n
}

// percentile returns the q-quantile of sorted by nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(i, 0)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// serversStatus sums procStatus over the servers' processes.
func serversStatus(o options, field string) int64 {
	var kb int64
	for _, pid := range o.pids {
		kb += procStatus(pid, field)
	}
	return kb
}

// serversCPU sums procCPU over the servers' processes.
func serversCPU(o options) time.Duration {
	var d time.Duration
	for _, pid := range o.pids {
		d += procCPU(pid)
	}
	return d
}

// procStatus returns a kB figure (VmRSS, VmHWM) of process pid, or 0.
func procStatus(pid int, field string) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int64
			fmt.Sscan(v, &kb)
			return kb
		}
	}
	return 0
}

// procCPU returns the CPU time process pid has used, user and system, or 0.
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// After "pid (comm)": state is field 3, utime 14 and stime 15, in
	// clock ticks of 1/100 s.
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// ownCPU returns the CPU time this process has used.
func ownCPU() time.Duration {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func (r result) print(o options) {
	w := os.Stderr
	if r.Signups > 0 {
		fmt.Fprintf(w, "signed up %d accounts (%.0f/s, %d made again after a busy answer)", r.Signups, r.SignupsPerS, r.SignupRetries)
		if o.pid != 0 {
			fmt.Fprintf(w, "; server peak RSS %d kB", r.SignupPeakRSSkB)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "clients %d (%.0f connected/s; connect failures %d, dropped by the server %d, reconnected %d)\n", r.Clients, r.ConnectsPerS, r.ConnectFailures, r.Dropped, r.Reconnects)
	if !o.idle {
		fmt.Fprintf(w, "sent %d (rejected %d, resent after a reconnect %d, never answered %d); deliveries expected %d, received %d: loss %d, duplicates %d, out of order %d\n",
			r.Sent, r.Rejected, r.Resent, r.Unanswered, r.Expected, r.Received, r.Loss, r.Duplicates, r.OutOfOrder)
		if r.ChangesSent > 0 {
			fmt.Fprintf(w, "changes sent %d (rejected %d), read %d times; change latency p50 %.2f ms, p99 %.2f ms\n",
				r.ChangesSent, r.ChangesRejected, r.ChangesRead, r.ChangeP50ms, r.ChangeP99ms)
		}
		if !o.raw {
			against := "the newest any client read (no -db)"
			if r.DBChecked == 1 {
				against = "the database"
			}
			fmt.Fprintf(w, "room positions, against %s: expected %d, read %d, missing %d, duplicates %d, out of order %d, skipped after a reconnect %d; final states differing %d of %d\n",
				against, r.PosExpected, r.PosReceived, r.PosMissing, r.PosDuplicates, r.PosOutOfOrder, r.PosSkipped, r.StateMismatches, r.StatesChecked)
		}
		fmt.Fprintf(w, "%.0f deliveries/s; latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			r.DeliveriesPerS, r.P50ms, r.P90ms, r.P99ms, r.MaxMs)
		if r.Instances > 1 {
			fmt.Fprintf(w, "over %d instances: sender on the receiver's instance p50 %.2f ms, p99 %.2f ms; on another p50 %.2f ms, p99 %.2f ms\n",
				r.Instances, r.SameP50ms, r.SameP99ms, r.CrossP50ms, r.CrossP99ms)
		}
		fmt.Fprintf(w, "CPU while sending: server %.1f s (%.1f µs per delivery), charla-load %.1f s\n", r.ServerCPUs, r.CPUusPerDelivery, r.LoadCPUs)
	}
	if o.pid != 0 {
		fmt.Fprintf(w, "server CPU per connection set up: %.2f ms\n", r.ConnectCPUms)
		fmt.Fprintf(w, "server RSS %d kB, peak %d kB", r.ServerRSSkB, r.ServerPeakRSSkB)
		if o.idle {
			fmt.Fprintf(w, ", %.1f kB per connection", r.RSSPerConnkB)
		}
		fmt.Fprintln(w)
	}
}
