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
}

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
