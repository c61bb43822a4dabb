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
}

var workloads = []workload{
	{name: "a", title: "100 clients, 1 room, 10 senders × 10 msg/s", clients: 100, senders: 10, rate: 10, rooms: 1},
	{name: "b", title: "1,000 clients, 1 room, 10 senders × 10 msg/s", clients: 1000, senders: 10, rate: 10, rooms: 1},
	{name: "c", title: "5,000 idle connections", clients: 5000, idle: true, rooms: 1},
	{name: "d", title: "10,000 idle connections", clients: 10000, idle: true, rooms: 1},
	{name: "e", title: "10 rooms × 100 clients, 10 senders × 10 msg/s (one per room)", clients: 1000, senders: 10, rate: 10, rooms: 10},
	{name: "s", title: "1,000 sign-ups at once (charla only)", clients: 1000, idle: true, rooms: 1, signups: 1000},
}

type options struct {
	out      string
	duration time.Duration
	ramp     int
	only     string
	bins     map[string]string // "charla", "charla-limit", "charla-load" → path
}

func main() {
	o := options{bins: map[string]string{}}
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "where to write the results")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long senders send in each load workload")
	flag.IntVar(&o.ramp, "ramp", 1000, "new connections per second")
	flag.StringVar(&o.only, "only", "", "comma-separated workloads to run (default all: a,b,c,d,e,s)")
	for _, name := range []string{"charla", "charla-limit", "charla-load"} {
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
	for _, w := range workloads {
		if o.only == "" || slices.Contains(strings.Split(o.only, ","), w.name) {
			todo = append(todo, w)
		}
	}
	if err := checkOpenFiles(todo); err != nil {
		return err
	}
	host := machine()
	dir, err := os.MkdirTemp("", "charla-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := build(dir, o.bins); err != nil {
		return err
	}

	var rows []row
	for _, w := range todo {
		r := row{workload: w}
		for i, kind := range []string{"charla", "charla-limit"} {
			if w.signups > 0 && kind != "charla" {
				continue // the limit has no accounts
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
	return os.WriteFile(o.out, report(rows, o, host), 0o644)
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
func build(dir string, bins map[string]string) error {
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

// result is charla-load's JSON line: every figure is a number.
type result map[string]float64

// measure runs workload w against a fresh server of the given kind.
func measure(dir string, o options, w workload, kind string) (result, error) {
	srv, err := start(dir, o.bins[kind], kind)
	if err != nil {
		return nil, err
	}
	defer srv.stop()

	args := []string{
		"-clients", strconv.Itoa(w.clients),
		"-rooms", strconv.Itoa(w.rooms),
		"-ramp", strconv.Itoa(o.ramp),
		"-pid", strconv.Itoa(srv.cmd.Process.Pid),
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
		args = append(args, "-url", "http://"+srv.addr+"/")
	} else {
		args = append(args, "-raw", "-url", "ws://"+srv.addr+"/")
	}
	load := exec.Command(o.bins["charla-load"], args...)
	var out bytes.Buffer
	load.Stdout, load.Stderr = &out, os.Stderr
	if err := load.Run(); err != nil {
		return nil, fmt.Errorf("charla-load: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var res result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return nil, fmt.Errorf("charla-load's last line: %w", err)
	}
	return res, nil
}

// server is a charla or charla-limit process with its own temp dir.
type server struct {
	cmd  *exec.Cmd
	addr string
	dir  string
}

// start runs bin on a free loopback port and waits until it listens.
// charla gets a fresh database and runs in its own dir, so that no .env
// of the caller's is read.
func start(parent, bin, kind string) (*server, error) {
	dir, err := os.MkdirTemp(parent, kind+"-")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{addr: addr, dir: dir}
	if kind == "charla" {
		s.cmd = exec.Command(bin)
		s.cmd.Env = append(os.Environ(),
			"ADDR="+addr,
			"DATABASE_URL=file:"+filepath.Join(dir, "bench.db"),
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
	} else {
		s.cmd = exec.Command(bin, "-addr", addr)
	}
	s.cmd.Dir = dir
	logf, err := os.Create(filepath.Join(dir, "server.log"))
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
	os.RemoveAll(s.dir)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
