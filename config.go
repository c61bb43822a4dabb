package main

import (
	"errors"
	"fmt"
	"io/fs"
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
	DebugAddr     string   // DEBUG_ADDR: where to serve net/http/pprof (keep it on loopback); empty: nowhere
	SkipMigrate   bool     // CHARLA_MIGRATE=false: do not apply pending migrations at start
	Timeouts      Timeouts // the HTTP server's; not read from the environment (zero: the defaults)
	MaxSockets    int      // CHARLA_SOCKETS_PER_PERSON: open sockets one person may hold (0: handlers' default, 20)
}

// defaultSendRate lets a person type fast, and a script not flood a room.
const defaultSendRate = 5

// loadConfig reads .env (if there is one) into the environment without
// overriding what is already set, then reads the settings through getenv.
func loadConfig(getenv func(string) string) (Config, error) {
	if err := godotenv.Load(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Config{}, fmt.Errorf("read .env: %w", err)
	}
	cfg := Config{
		Addr:         or(getenv("ADDR"), ":8080"),
		DatabaseURL:  or(getenv("DATABASE_URL"), "file:charla.db"),
		AuthToken:    or(getenv("TURSO_AUTH_TOKEN"), getenv("DB_TOKEN")),
		CookieSecret: getenv("COOKIE_SECRET"),
		DebugAddr:    getenv("DEBUG_ADDR"),
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
	cfg.SendRate = defaultSendRate
	switch v := getenv("CHARLA_SEND_RATE"); v {
	case "":
	case "off", "0":
		cfg.SendRate = 0
	default:
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 {
			return Config{}, fmt.Errorf("CHARLA_SEND_RATE=%q: want messages a second, or off", v)
		}
		cfg.SendRate = r
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

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
