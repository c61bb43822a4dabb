package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/joho/godotenv"
)

// Config is every setting charla reads, from the environment and .env.
type Config struct {
	Addr          string   // ADDR: where to listen
	DatabaseURL   string   // DATABASE_URL: file:… or libsql://…
	AuthToken     string   // TURSO_AUTH_TOKEN (or DB_TOKEN): for a Turso database
	CookieSecret  string   // COOKIE_SECRET: signs cookies; generated and kept in the database when empty
	CookieSecure  bool     // COOKIE_SECURE: mark cookies Secure (serving over HTTPS)
	AllowedOrigin []string // ALLOWED_ORIGINS: extra hosts whose pages may open the socket
	Signup        string   // CHARLA_SIGNUP: open (default) or invite
	SendRate      float64  // CHARLA_SEND_RATE: messages a second per person (bursts of twice that); 0: no limit
	SignupRate    float64  // CHARLA_SIGNUP_RATE: accounts an hour per address (bursts of as many); 0: no limit
	// TRUSTED_PROXIES: the proxies in front, whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; none: a client is its connection.
	TrustedProxies []*net.IPNet
	DebugAddr      string   // DEBUG_ADDR: where to serve net/http/pprof and /metrics (keep it on loopback); empty: nowhere
	MetricsAddr    string   // CHARLA_METRICS_ADDR: where to serve /metrics alone (a private address); empty: nowhere
	SkipMigrate    bool     // CHARLA_MIGRATE=false: do not apply pending migrations at start
	Timeouts       Timeouts // the HTTP server's; not read from the environment (zero: the defaults)
	MaxSockets     int      // CHARLA_SOCKETS_PER_PERSON: open sockets one person may hold (0: handlers' default, 20)
	// NATS_URL: nats://host:port of the NATS server (or cluster, comma-
	// separated) that several instances on one database share their
	// rooms' events through; empty: one instance, in process.
	NATSURL string
}

// DefaultSendRate (CHARLA_SEND_RATE's default) lets a person type fast, and a script not flood a room.
const DefaultSendRate = 5

// defaultSignupRate lets an office or a family behind one address sign up
// together, and a script not make accounts (each an argon2id hash) by the
// thousand.
const defaultSignupRate = 10

// LoadConfig reads .env (if there is one) into the environment without
// overriding what is already set, then reads the settings through getenv.
func LoadConfig(getenv func(string) string) (Config, error) {
	if err := godotenv.Load(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Config{}, fmt.Errorf("read .env: %w", err)
	}
	cfg := Config{
		Addr:         or(getenv("ADDR"), ":8080"),
		DatabaseURL:  or(getenv("DATABASE_URL"), "file:charla.db"),
		AuthToken:    or(getenv("TURSO_AUTH_TOKEN"), getenv("DB_TOKEN")),
		CookieSecret: getenv("COOKIE_SECRET"),
		DebugAddr:    getenv("DEBUG_ADDR"),
		NATSURL:      getenv("NATS_URL"),
		MetricsAddr:  getenv("CHARLA_METRICS_ADDR"),
	}
	if v := getenv("COOKIE_SECURE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("COOKIE_SECURE=%q: want true or false", v)
		}
		cfg.CookieSecure = b
	}
	for _, o := range strings.Split(getenv("ALLOWED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.AllowedOrigin = append(cfg.AllowedOrigin, o)
		}
	}
	switch cfg.Signup = or(getenv("CHARLA_SIGNUP"), "open"); cfg.Signup {
	case "open", "invite":
	default:
		return Config{}, fmt.Errorf("CHARLA_SIGNUP=%q: want open or invite", cfg.Signup)
	}
	if v := getenv("CHARLA_MIGRATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("CHARLA_MIGRATE=%q: want true or false", v)
		}
		cfg.SkipMigrate = !b
	}
	var err error
	if cfg.SendRate, err = rateSetting(getenv, "CHARLA_SEND_RATE", DefaultSendRate, "messages a second"); err != nil {
		return Config{}, err
	}
	if cfg.SignupRate, err = rateSetting(getenv, "CHARLA_SIGNUP_RATE", defaultSignupRate, "accounts an hour"); err != nil {
		return Config{}, err
	}
	if err := natsURLs(cfg.NATSURL); err != nil {
		return Config{}, fmt.Errorf("NATS_URL: %w", err)
	}
	if cfg.TrustedProxies, err = cidrs(getenv("TRUSTED_PROXIES")); err != nil {
		return Config{}, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	if v := getenv("CHARLA_SOCKETS_PER_PERSON"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("CHARLA_SOCKETS_PER_PERSON=%q: want a number of sockets, at least 1", v)
		}
		cfg.MaxSockets = n
	}
	if cfg.CookieSecret != "" && len(cfg.CookieSecret) < 32 {
		return Config{}, errors.New("COOKIE_SECRET must be at least 32 characters (or unset, to generate one)")
	}
	return cfg, nil
}

// rateSetting reads a rate: a positive number of what unit says, or off
// (or 0) for no limit (returned as 0); unset, the default.
func rateSetting(getenv func(string) string, name string, def float64, unit string) (float64, error) {
	switch v := getenv(name); v {
	case "":
		return def, nil
	case "off", "0":
		return 0, nil
	default:
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 {
			return 0, fmt.Errorf("%s=%q: want %s, or off", name, v, unit)
		}
		return r, nil
	}
}

// natsURLs checks NATS_URL: empty, or comma-separated URLs of NATS
// servers, so that a typo fails at start rather than as an instance that
// quietly never connects (the client keeps retrying what it cannot reach).
func natsURLs(list string) error {
	if list == "" {
		return nil
	}
	for s := range strings.SplitSeq(list, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" {
			return fmt.Errorf("%q: want nats://host:port, comma-separated for a cluster", s)
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Errorf("%q: want a nats://, tls://, ws:// or wss:// URL", s)
		}
	}
	return nil
}

// cidrs reads comma-separated CIDRs; a bare address is a /32 (or /128).
func cidrs(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for s := range strings.SplitSeq(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if ip := net.ParseIP(s); ip != nil && ip.To4() != nil {
			s += "/32"
		} else if ip != nil {
			s += "/128"
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("%q: want CIDRs such as 10.0.0.0/8, comma-separated", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
