package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Reconnect churn: tabs whose sockets drop and reconnect over and over (a
// flaky network, a crowd reloading) while the senders send. Each reconnect
// is what hx-ws does after a drop: the same socket URL dialled again, its
// first frame read, then a close (1001, going away) — so each disconnect
// leaves the server a read mark to store.
var (
	churnRate   = flag.Float64("churn", 0, "reconnects per `second` while the senders send, spread over -churn-tabs tabs of their own (0: no churn)")
	churnTabs   = flag.Int("churn-tabs", 200, "tabs that reconnect with -churn (they are not -clients: their deliveries are not counted)")
	churnSettle = flag.Duration("churn-settle", 5*time.Second, "after the churn, how long to let the server settle before its open files and RSS are read again")
)

// churnWorkers bounds the reconnects in flight at once: a server that falls
// behind sees skipped beats, not a pile of half-open handshakes.
const churnWorkers = 64

// churner runs the reconnects and watches the server's open files and RSS.
type churner struct {
	pid      int
	tabs     []session
	clients  []*http.Client
	stop     chan struct{}
	wg       sync.WaitGroup
	dials    atomic.Int64
	failures atomic.Int64
	firstErr sync.Once
	start    time.Time

	mu                 sync.Mutex
	fdsBefore, fdsPeak int
	rssBefore, rssPeak int64
	fdsAfter, rssAfter int64
	elapsed            time.Duration
}

// startChurn opens the churn tabs (one page load each) and starts
// reconnecting them at -churn a second. It returns nil without -churn.
func startChurn(ctx context.Context, o options, sites []*site, transport http.RoundTripper) *churner {
	if *churnRate <= 0 || len(sites) == 0 {
		return nil
	}
	c := &churner{pid: o.pid, stop: make(chan struct{})}
	for k := range *churnTabs {
		s := sites[k%len(sites)]
		jar, _ := cookiejar.New(nil)
		jar.SetCookies(s.base, s.account(o.clients+k))
		hc := &http.Client{Jar: jar, Transport: transport}
		jctx, cancel := context.WithTimeout(ctx, connectTimeout)
		sess, err := join(jctx, hc, s.rooms[k%len(s.rooms)])
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "charla-load: churn tab %d: %v\n", k, err)
			continue
		}
		c.tabs, c.clients = append(c.tabs, sess), append(c.clients, hc)
	}
	if len(c.tabs) == 0 {
		return nil
	}
	c.fdsBefore, c.rssBefore = openFiles(o.pid), procStatus(o.pid, "VmRSS")
	c.fdsPeak, c.rssPeak = c.fdsBefore, c.rssBefore
	c.start = time.Now()
	c.wg.Go(func() { c.watch() })
	c.wg.Go(func() { c.run(ctx) })
	return c
}

// run dials a tab every 1/-churn seconds, with at most churnWorkers in
// flight.
func (c *churner) run(ctx context.Context) {
	pace := time.NewTicker(time.Duration(float64(time.Second) / *churnRate))
	defer pace.Stop()
	slots := make(chan struct{}, churnWorkers)
	var dials sync.WaitGroup
	defer dials.Wait()
	for k := 0; ; k++ {
		select {
		case <-c.stop:
			return
		case <-ctx.Done():
			return
		case <-pace.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			continue // the server is behind: skip a beat rather than pile up
		}
		i := k % len(c.tabs)
		dials.Go(func() {
			defer func() { <-slots }()
			c.reconnect(ctx, i)
		})
	}
}

func (c *churner) reconnect(ctx context.Context, i int) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	c.dials.Add(1)
	conn, _, err := websocket.Dial(ctx, c.tabs[i].socket, &websocket.DialOptions{
		HTTPClient: c.clients[i],
		HTTPHeader: http.Header{"Origin": {c.tabs[i].origin}},
	})
	if err == nil {
		conn.SetReadLimit(readLimit)
		_, _, err = conn.Read(ctx) // the sidebar: the server has taken the tab in
		conn.Close(websocket.StatusGoingAway, "")
	}
	if err != nil {
		c.failures.Add(1)
		c.firstErr.Do(func() { fmt.Fprintf(os.Stderr, "charla-load: churn: %v\n", err) })
	}
}

// watch samples the server's open files and RSS every 250 ms for the peaks.
func (c *churner) watch() {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		fds, rss := openFiles(c.pid), procStatus(c.pid, "VmRSS")
		c.mu.Lock()
		c.fdsPeak, c.rssPeak = max(c.fdsPeak, fds), max(c.rssPeak, rss)
		c.mu.Unlock()
	}
}

// finish stops the churn, lets the server settle, reads its open files
// and RSS again and reports.
func (c *churner) finish() {
	if c == nil {
		return
	}
	close(c.stop)
	c.wg.Wait()
	c.elapsed = time.Since(c.start)
	for _, hc := range c.clients {
		hc.CloseIdleConnections()
	}
	time.Sleep(*churnSettle)
	c.fdsAfter, c.rssAfter = int64(openFiles(c.pid)), procStatus(c.pid, "VmRSS")
	w := os.Stderr
	n := c.dials.Load()
	fmt.Fprintf(w, "churn: %d reconnects of %d tabs in %.1f s (%.0f/s), %d failed\n",
		n, len(c.tabs), c.elapsed.Seconds(), float64(n)/c.elapsed.Seconds(), c.failures.Load())
	if c.pid != 0 {
		fmt.Fprintf(w, "server open files: %d before the churn, peak %d, %d after %v\n", c.fdsBefore, c.fdsPeak, c.fdsAfter, *churnSettle)
		fmt.Fprintf(w, "server RSS: %d kB before the churn, peak %d kB, %d kB after %v\n", c.rssBefore, c.rssPeak, c.rssAfter, *churnSettle)
	}
}

// openFiles counts the open file descriptors of pid (0: none).
func openFiles(pid int) int {
	if pid == 0 {
		return 0
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0
	}
	return len(fds)
}
