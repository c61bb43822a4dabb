package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"net/http"
	"strings"

	"github.com/charla/charla/db"
)

const nameCookie = "charla_name"

// nameFromCookie returns the display name in the request's signed cookie,
// or "" when there is none or its signature does not match.
func (h *Handler) nameFromCookie(r *http.Request) string {
	c, err := r.Cookie(nameCookie)
	if err != nil {
		return ""
	}
	encoded, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return ""
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, h.sign(raw)) {
		return ""
	}
	name := string(raw)
	if !db.ValidName(name) {
		return ""
	}
	return name
}

// setNameCookie keeps name in a cookie signed with the server's secret, so
// that nobody can speak under a name the server did not hand them.
func (h *Handler) setNameCookie(w http.ResponseWriter, name string) {
	value := base64.RawURLEncoding.EncodeToString([]byte(name)) + "." +
		base64.RawURLEncoding.EncodeToString(h.sign([]byte(name)))
	http.SetCookie(w, &http.Cookie{
		Name:     nameCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   365 * 24 * 3600,
		HttpOnly: true,
		Secure:   h.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handler) sign(b []byte) []byte {
	m := hmac.New(sha256.New, h.Secret)
	m.Write([]byte("name:"))
	m.Write(b)
	return m.Sum(nil)
}

var (
	adjectives = []string{"curious", "brave", "calm", "eager", "gentle", "happy", "jolly", "kind", "lively", "merry",
		"nimble", "proud", "quiet", "swift", "witty", "bold", "clever", "daring", "fuzzy", "sunny"}
	animals = []string{"otter", "badger", "heron", "lynx", "panda", "falcon", "koala", "marmot", "newt", "ocelot",
		"puffin", "quokka", "raven", "seal", "tapir", "walrus", "yak", "zebra", "ibex", "gecko"}
)

// randomName returns a name like "curious-otter".
func randomName() string {
	return pick(adjectives) + "-" + pick(animals)
}

func pick(words []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return words[n.Int64()]
}

// newKey returns a fresh one-time message key (the composer's first one;
// charla.js makes the next ones).
func newKey() string {
	return rand.Text()
}
