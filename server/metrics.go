package server

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/handlers"
	"github.com/charla/charla/hub"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are charla's Prometheus metrics, on a registry of their own (not
// the global one: tests run several servers in one process). What is
// already counted elsewhere (open sockets, the hub's counters) is read at
// scrape time; what is not is counted here from hooks that run once per
// commit, refusal or replay, never once per delivered frame.
type metrics struct {
	reg           *prometheus.Registry
	committed     prometheus.Counter
	publish       prometheus.Histogram
	batchSize     prometheus.Histogram
	commitSeconds *prometheus.HistogramVec
	refused       *prometheus.CounterVec
	replayed      prometheus.Histogram
	replayReloads prometheus.Counter
}

// Buckets. Batches are at most db's maxBatch (512); a commit is a fsync
// (a millisecond or so) or a round trip to Turso (tens), and gives up at
// db's commitTimeout (10 s); publishing a commit (rendering it once,
// queueing it for every socket) takes microseconds to milliseconds; a
// replay is at most handlers' maxReplay (1000).
var (
	publishBucket = prometheus.ExponentialBuckets(0.00001, 2, 16) // 10 µs … 0.33 s
	batchBuckets  = prometheus.ExponentialBuckets(1, 2, 10)       // 1 … 512
	commitBuckets = prometheus.ExponentialBuckets(0.00025, 2, 16) // 0.25 ms … 8 s
	replayBuckets = []float64{0, 1, 10, 50, 100, 250, 500, 1000}
)

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		committed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "charla_messages_committed_total",
			Help: "Messages stored and handed to the hub (resends of a stored message not counted).",
		}),
		publish: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "charla_publish_seconds",
			Help: "From a commit to its events queued for every socket of their rooms (rendering and fan-out), per commit. " +
				"The in-process part of delivery latency: the socket writes come after, each bounded by its slow-client limit.",
			Buckets: publishBucket,
		}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "charla_commit_batch_messages",
			Help:    "Messages per group commit attempt of the writer.",
			Buckets: batchBuckets,
		}),
		commitSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "charla_commit_seconds",
			Help:    "How long the database took to store one batch, by outcome (ok or error).",
			Buckets: commitBuckets,
		}, []string{"outcome"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charla_rate_limited_total",
			Help: "Requests and messages refused by a rate limit, by limit.",
		}, []string{"limit"}),
		replayed: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "charla_replay_messages",
			Help:    "Missed messages sent to a reconnecting socket.",
			Buckets: replayBuckets,
		}),
		replayReloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "charla_replay_reloads_total",
			Help: "Reconnecting sockets that had missed too much to replay and were told to reload the page.",
		}),
	}
	for _, l := range handlers.LimitNames {
		m.refused.WithLabelValues(l) // every limit shows, at 0, from the start
	}
	for _, o := range []string{"ok", "error"} {
		m.commitSeconds.WithLabelValues(o)
	}
	m.reg.MustRegister(m.committed, m.publish, m.batchSize, m.commitSeconds, m.refused, m.replayed, m.replayReloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observeCommit is the db.Writer's Observe hook.
func (m *metrics) observeCommit(messages int, took time.Duration, err error) {
	m.batchSize.Observe(float64(messages))
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.commitSeconds.WithLabelValues(outcome).Observe(took.Seconds())
}

// counted wraps the writer's publisher to count the messages committed
// and time their publishing: once per commit, not per message or socket.
func (m *metrics) counted(pub db.Publisher) db.Publisher {
	return db.PublishFunc(func(ev chat.RoomEvent) {
		if ev.Change == chat.Post {
			m.committed.Add(float64(len(ev.Messages)))
		}
		start := time.Now()
		pub.Publish(ev)
		m.publish.Observe(time.Since(start).Seconds())
	})
}

// observer is what the handlers report.
func (m *metrics) observer() handlers.Observer {
	return handlers.Observer{
		Refused: func(limit string) { m.refused.WithLabelValues(limit).Inc() },
		Replayed: func(n int) {
			if n < 0 {
				m.replayReloads.Inc()
				return
			}
			m.replayed.Observe(float64(n))
		},
	}
}

// watch registers what is read at scrape time: open sockets, the hub's
// counters, and the broker's state.
func (m *metrics) watch(h *handlers.Handler, rooms *hub.Hub, broker brokerState) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "charla_sockets_open",
			Help: "WebSockets open now.",
		}, func() float64 { return float64(h.Sockets()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "charla_events_published_total",
			Help: "Events (rendered frames for a room) published to the hub.",
		}, func() float64 { return float64(rooms.Stats().Published) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "charla_event_fanout_total",
			Help: "Subscriptions the published events were handed to (one per socket following the room).",
		}, func() float64 { return float64(rooms.Stats().Fanout) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "charla_slow_client_drops_total",
			Help: "Sockets dropped because they fell behind the room by their queue limit (they reconnect and recover).",
		}, func() float64 { return float64(rooms.Stats().Lagged) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "charla_broker_connected",
			Help:        "1 when the broker between instances is connected (always, for the in-process hub), else 0.",
			ConstLabels: prometheus.Labels{"broker": broker.name},
		}, func() float64 {
			if broker.connected == nil || broker.connected() {
				return 1
			}
			return 0
		}),
	)
}

// brokerState names the broker and says whether it is connected. Today
// there is only the in-process hub (name "in-process", connected nil:
// always). The NATS hub (issue 10, items 1-4) sets name "nats" and
// connected to its connection's status, as it does readiness.broker.
type brokerState struct {
	name      string
	connected func() bool
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// serveMetrics serves /metrics alone on addr (CHARLA_METRICS_ADDR) until
// stop is called, which returns once the listener's goroutine has. It listens before returning, so that a wrong address stops the
// start instead of being a log line nobody reads.
func serveMetrics(addr string, m *metrics, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: metricsTimeout, ReadTimeout: metricsTimeout, WriteTimeout: metricsTimeout}
	log.Info("metrics listening", "addr", ln.Addr().String())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	return func() { srv.Close(); <-done }, nil
}

// metricsTimeout bounds a scrape's request and answer: a scraper reads a
// few kilobytes, and nothing else should hold the listener's connections.
const metricsTimeout = 10 * time.Second
