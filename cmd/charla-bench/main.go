// Command charla-bench measures charla against charla-limit, the least a
// WebSocket broadcast server can do, on fixed workloads, and writes the
// figures side by side, with the machine they came from, to BENCHMARKS.md.
// Each workload runs on a fresh server of each kind, driven by charla-load
// over loopback.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// workload is one fixed load. Clients join room i mod rooms; the first
// senders of them send rate messages a second each.
type workload struct {
	name    string
	title   string
	clients int
	senders int
	rate    float64
	rooms   int
	idle    bool
	// signups, when set, is a sign-up workload, on charla only: that many
	// accounts (one per client) signed up all at once.
	signups int
	// changes is the share of what senders send that is an edit or a
	// reaction (charla-load -changes); the limit relays it as any frame.
	changes float64
	// instances, above 1, runs charla as that many processes on one
	// database and a NATS server; client i connects to instance i mod n.
	// The limit runs as one.
	instances int
	// limitOf names the one-instance workload whose limit figures serve
	// as this one's baseline (the same load on the same limit), when it ran.
	limitOf string
}

var workloads = []workload{
	{name: "a", title: "100 clients, 1 room, 10 senders × 10 msg/s", clients: 100, senders: 10, rate: 10, rooms: 1},
	{name: "b", title: "1,000 clients, 1 room, 10 senders × 10 msg/s", clients: 1000, senders: 10, rate: 10, rooms: 1},
	{name: "c", title: "5,000 idle connections", clients: 5000, idle: true, rooms: 1},
	{name: "d", title: "10,000 idle connections", clients: 10000, idle: true, rooms: 1},
	{name: "e", title: "10 rooms × 100 clients, 10 senders × 10 msg/s (one per room)", clients: 1000, senders: 10, rate: 10, rooms: 10},
	{name: "s", title: "1,000 sign-ups at once (charla only)", clients: 1000, idle: true, rooms: 1, signups: 1000},
	{name: "f", title: "1,000 clients, 1 room, 10 senders × 10/s, one in five an edit or a reaction", clients: 1000, senders: 10, rate: 10, rooms: 1, changes: 0.2},
	{name: "g", title: "(b) on two charla instances (one database, NATS)", clients: 1000, senders: 10, rate: 10, rooms: 1, instances: 2, limitOf: "b"},
	{name: "h", title: "(f) on two charla instances (one database, NATS)", clients: 1000, senders: 10, rate: 10, rooms: 1, changes: 0.2, instances: 2, limitOf: "f"},
}

// natsServer is the NATS server the two-instance workloads run, built from
// the module proxy at this version unless go.mod requires it.
const natsServer = "github.com/nats-io/nats-server/v2"

const natsVersion = "v2.15.2"

type options struct {
	out      string
	duration time.Duration
	ramp     int
	only     string
	bins     map[string]string // "charla", "charla-limit", "charla-load", "nats-server" → path
	// pin runs the servers on CPU 0 and charla-load on CPU 1 (taskset),
	// so that they do not take turns on the same core.
	pin bool
	// instances says whether to run the multi-instance workloads: "auto"
	// when this charla has a NATS relay (NATS_URL), "on", "off".
	instances string
	svg       string
	previous  map[string]string // (workload, figure) → charla ÷ limit in the file being rewritten
}

func main() {
	o := options{bins: map[string]string{}}
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "where to write the results")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long senders send in each load workload")
	flag.IntVar(&o.ramp, "ramp", 1000, "new connections per second")
	flag.StringVar(&o.only, "only", "", "comma-separated workloads to run (default all: a,b,c,d,e,s,f,g,h)")
	flag.BoolVar(&o.pin, "pin", true, "pin the servers to CPU 0 and charla-load to CPU 1 with taskset (when there are 2 CPUs or more and taskset is there)")
	flag.StringVar(&o.instances, "instances", "auto", "run the two-instance workloads (g, h): on, off, or auto (when this charla reads NATS_URL)")
	flag.StringVar(&o.svg, "svg", "docs/bench-latency.svg", "where to draw the latency distributions (relative to -out's directory in the report's link)")
	for _, name := range []string{"charla", "charla-limit", "charla-load", "nats-server"} {
		flag.Func(name, "prebuilt `binary` of "+name+" (default: go build it)", func(p string) error {
			o.bins[name] = p
			return nil
		})
	}
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "charla-bench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	var todo []workload
	multi := o.instances == "on" || o.instances == "auto" && hasNATS()
	var skipped []string
	for _, w := range workloads {
		if o.only == "" || slices.Contains(strings.Split(o.only, ","), w.name) {
			if w.instances > 1 && !multi {
				skipped = append(skipped, w.name)
				continue
			}
			todo = append(todo, w)
		}
	}
	if o.pin {
		_, err := exec.LookPath("taskset")
		o.pin = err == nil && runtime.NumCPU() >= 2
	}
	o.previous = previousRatios(o.out)
	if err := checkOpenFiles(todo); err != nil {
		return err
	}
	host := machine()
	dir, err := os.MkdirTemp("", "charla-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := build(dir, o.bins, multi && slices.ContainsFunc(todo, func(w workload) bool { return w.instances > 1 })); err != nil {
		return err
	}

	var rows []row
	for _, w := range todo {
		r := row{workload: w}
		for i, kind := range []string{"charla", "charla-limit"} {
			if w.signups > 0 && kind != "charla" {
				continue // the limit has no accounts
			}
			if same := find(rows, w.limitOf); same != nil && kind != "charla" {
				r.results[i] = same.results[i] // the same load on the same one-process limit
				continue
			}
			fmt.Fprintf(os.Stderr, "== (%s) %s: %s\n", w.name, w.title, kind)
			res, err := measure(dir, o, w, kind)
			if err != nil {
				return fmt.Errorf("(%s) on %s: %w", w.name, kind, err)
			}
			r.results[i] = res
		}
		rows = append(rows, r)
	}
	if o.svg != "" {
		if err := os.MkdirAll(filepath.Dir(o.svg), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(o.svg, drawLatency(rows), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(o.out, report(rows, o, host, skipped), 0o644)
}

// hasNATS reports whether the charla in the working directory (the module
// root) reads NATS_URL: whether it can run as several instances.
func hasNATS() bool {
	return exec.Command("grep", "-rq", "--include=*.go", "--exclude-dir=cmd", "--exclude-dir=node_modules", "NATS_URL", ".").Run() == nil
}

// checkOpenFiles fails early when a process cannot hold the largest
// workload's sockets. Go raises the soft limit to the hard one by itself.
func checkOpenFiles(todo []workload) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	for _, w := range todo {
		if need := uint64(w.clients + 1000); lim.Max < need {
			return fmt.Errorf("workload (%s) needs %d open files, the hard limit is %d: raise it (ulimit -Hn) or skip it with -only", w.name, need, lim.Max)
		}
	}
	return nil
}

// build compiles, into dir, the binaries not given on the command line;
// charla static (CGO_ENABLED=0), like `make build`. It runs in the module
// root.
func build(dir string, bins map[string]string, nats bool) error {
	if nats && bins["nats-server"] == "" {
		if err := buildNATS(dir); err != nil {
			return err
		}
		bins["nats-server"] = filepath.Join(dir, "nats-server")
	}
	pkgs := map[string]string{"charla": ".", "charla-limit": "./cmd/charla-limit", "charla-load": "./cmd/charla-load"}
	var missing []string
	for name, pkg := range pkgs {
		if bins[name] == "" {
			missing = append(missing, pkg)
			bins[name] = filepath.Join(dir, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	args := append([]string{"build", "-trimpath", "-o", dir + string(filepath.Separator)}, missing...)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// buildNATS builds nats-server into dir: at go.mod's version when the
// module requires it, else at natsVersion from the module proxy.
func buildNATS(dir string) error {
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), natsServer)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if cmd.Run() == nil {
		return nil
	}
	cmd = exec.Command("go", "install", natsServer+"@"+natsVersion)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOBIN="+dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go install %s@%s: %w", natsServer, natsVersion, err)
	}
	return nil
}

// result is charla-load's JSON line: its figures (numbers) and its
// latency distributions (quantiles in ms).
type result struct {
	nums          map[string]float64
	cdf, crossCDF []float64
}

func (r *result) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	r.nums = map[string]float64{}
	for k, v := range raw {
		var err error
		switch k {
		case "cdf_ms":
			err = json.Unmarshal(v, &r.cdf)
		case "cross_cdf_ms":
			err = json.Unmarshal(v, &r.crossCDF)
		default:
			var f float64
			err = json.Unmarshal(v, &f)
			r.nums[k] = f
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// serverCPU and loadCPU are the CPUs the servers and charla-load are
// pinned to with -pin.
const (
	serverCPU = "0"
	loadCPU   = "1"
)

// measure runs workload w against a fresh server of the given kind (with
// w.instances, that many charla processes on one database and a NATS
// server).
func measure(dir string, o options, w workload, kind string) (result, error) {
	var res result
	srvDir, err := os.MkdirTemp(dir, kind+"-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(srvDir)
	database := "file:" + filepath.Join(srvDir, "bench.db")
	var servers []*server
	defer func() {
		for _, s := range slices.Backward(servers) {
			s.stop()
		}
	}()
	var natsURL string
	if kind == "charla" && w.instances > 1 {
		nats, err := start(srvDir, o, o.bins["nats-server"], "nats-server", "", "")
		if err != nil {
			return res, err
		}
		servers = append(servers, nats)
		natsURL = "nats://" + nats.addr
	}
	var urls, pids []string
	for range max(1, w.instances) {
		if kind != "charla" && len(urls) > 0 {
			break // the limit runs as one
		}
		srv, err := start(srvDir, o, o.bins[kind], kind, database, natsURL)
		if err != nil {
			return res, err
		}
		servers = append(servers, srv)
		if kind == "charla" {
			urls = append(urls, "http://"+srv.addr+"/")
		} else {
			urls = append(urls, "ws://"+srv.addr+"/")
		}
		pids = append(pids, strconv.Itoa(srv.cmd.Process.Pid))
	}
	for _, s := range servers[:len(servers)-len(urls)] { // the broker's CPU and memory count too
		pids = append(pids, strconv.Itoa(s.cmd.Process.Pid))
	}

	args := []string{
		"-clients", strconv.Itoa(w.clients),
		"-rooms", strconv.Itoa(w.rooms),
		"-ramp", strconv.Itoa(o.ramp),
		"-pid", strings.Join(pids, ","),
		"-url", strings.Join(urls, ","),
	}
	if w.signups > 0 {
		args = append(args, "-accounts", strconv.Itoa(w.signups), "-signups-at-once", strconv.Itoa(w.signups))
	}
	if w.idle {
		args = append(args, "-idle")
	} else {
		args = append(args, "-senders", strconv.Itoa(w.senders), "-rate", fmt.Sprint(w.rate), "-duration", o.duration.String())
	}
	if kind == "charla" {
		args = append(args, "-db", database)
		if w.changes > 0 {
			args = append(args, "-changes", fmt.Sprint(w.changes))
		}
	} else {
		args = append(args, "-raw")
	}
	load := pinned(o, loadCPU, o.bins["charla-load"], args...)
	var out bytes.Buffer
	load.Stdout, load.Stderr = &out, os.Stderr
	if err := load.Run(); err != nil {
		return res, fmt.Errorf("charla-load: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return res, fmt.Errorf("charla-load's last line: %w", err)
	}
	return res, nil
}

// pinned is bin with args, on cpu when o.pin (taskset execs it: the PID
// is bin's).
func pinned(o options, cpu, bin string, args ...string) *exec.Cmd {
	if !o.pin {
		return exec.Command(bin, args...)
	}
	return exec.Command("taskset", append([]string{"-c", cpu, bin}, args...)...)
}

// server is a charla, charla-limit or nats-server process.
type server struct {
	cmd  *exec.Cmd
	addr string
}

// start runs bin on a free loopback port, in dir (so that no .env of the
// caller's is read), and waits until it listens. charla runs on database,
// with natsURL when set.
func start(dir string, o options, bin, kind, database, natsURL string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{addr: addr}
	switch kind {
	case "charla":
		s.cmd = pinned(o, serverCPU, bin)
		s.cmd.Env = append(os.Environ(),
			"ADDR="+addr,
			"DATABASE_URL="+database,
			"COOKIE_SECRET=charla-bench-cookie-secret-0123456789",
			"CHARLA_SIGNUP=open",   // charla-load signs up its accounts
			"CHARLA_SEND_RATE=off", // senders here send faster than a person may
			// charla-load's clients share 100 accounts (sign-ups are dear):
			// up to 100 sockets each, as if each person had 100 tabs.
			"CHARLA_SOCKETS_PER_PERSON=1000",
			// All of charla-load's accounts come from 127.0.0.1, far more
			// than one address may make an hour.
			"CHARLA_SIGNUP_RATE=off",
		)
		if natsURL != "" {
			s.cmd.Env = append(s.cmd.Env, "NATS_URL="+natsURL)
		}
	case "nats-server":
		host, port, _ := net.SplitHostPort(addr)
		s.cmd = pinned(o, serverCPU, bin, "-a", host, "-p", port)
	default:
		s.cmd = pinned(o, serverCPU, bin, "-addr", addr)
	}
	s.cmd.Dir = dir
	logf, err := os.Create(filepath.Join(dir, kind+"-"+strings.ReplaceAll(addr, ":", "-")+".log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own copy
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(15 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			log, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("%s did not listen on %s: %v\n%s", kind, addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop asks the server to stop (SIGTERM), and kills it if it takes long.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
