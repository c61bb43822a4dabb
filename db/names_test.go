package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

func TestNormalUsername(t *testing.T) {
	for _, c := range []struct {
		in, display, key string
	}{
		{"lópez", "lópez", "lópez"},
		{"Lopez", "Lopez", "lopez"},
		{"ｌｏｐｅｚ", "lopez", "lopez"},        // full-width letters
		{"lo\u0301pez", "lópez", "lópez"},  // combining accent: precomposed
		{"  diseño  ", "diseño", "diseño"}, // trimmed
		{"ΣΑΣ", "ΣΑΣ", "σασ"},
		{"東京の人", "東京の人", "東京の人"},
		{"ana.b-c_1", "ana.b-c_1", "ana.b-c_1"},
	} {
		display, key, ok := db.NormalUsername(c.in)
		if !ok || display != c.display || key != c.key {
			t.Errorf("NormalUsername(%q) = %q, %q, %v; want %q, %q", c.in, display, key, ok, c.display, c.key)
		}
	}
	for _, bad := range []string{"ab", "ló", "a b c", "ana!", "a@b.c", "ﬁsh", "<img>", "ana\u200bana", "a\x00bc", "abcdefghijklmnopqrstuvwxyzabcdefg", ""} {
		if d, k, ok := db.NormalUsername(bad); ok {
			t.Errorf("NormalUsername(%q) = %q, %q; want it refused", bad, d, k)
		}
	}
}

func TestNormalRoomName(t *testing.T) {
	for in, want := range map[string]string{"diseño": "diseño", "Diseño": "diseño", "ｄｉｓｅño": "diseño", "disen\u0303o": "diseño", "a_b-c": "a_b-c"} {
		if got, ok := db.NormalRoomName(in); !ok || got != want {
			t.Errorf("NormalRoomName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"a", "a.b", "a b", "ﬁx", "#room"} {
		if got, ok := db.NormalRoomName(bad); ok {
			t.Errorf("NormalRoomName(%q) = %q; want it refused", bad, got)
		}
	}
}

// TestLookAlikeNamesCollide: on both backends, a username or a room name
// that differs from a taken one only in capitals, width or how its accent
// is written is taken; and an account is found however its name is typed.
func TestLookAlikeNamesCollide(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, "López", "hash")
		if err != nil || u.Username != "López" {
			t.Fatalf("create López: %+v, %v", u, err)
		}
		for _, same := range []string{"lópez", "LÓPEZ", "Lo\u0301pez", "Ｌóｐｅｚ"} {
			if _, err := s.CreateUser(ctx, same, "hash"); !errors.Is(err, db.ErrTaken) {
				t.Errorf("create %q after López: %v, want ErrTaken", same, err)
			}
			if got, _, err := s.UserByName(ctx, same); err != nil || got.ID != u.ID {
				t.Errorf("user by name %q: %+v, %v; want López", same, got, err)
			}
		}
		if _, err := s.CreateUser(ctx, "Lopez", "hash"); err != nil {
			t.Errorf("create Lopez (no accent) after López: %v, want a different name", err)
		}
		r, err := s.CreateRoom(ctx, "Diseño", chat.Public, u.ID)
		if err != nil || r.Name != "diseño" {
			t.Fatalf("create room Diseño: %+v, %v; want it named diseño", r, err)
		}
		for _, same := range []string{"diseño", "DISEÑO", "disen\u0303o", "ｄｉｓｅñｏ"} {
			if _, err := s.CreateRoom(ctx, same, chat.Public, u.ID); !errors.Is(err, db.ErrTaken) {
				t.Errorf("create room %q after diseño: %v, want ErrTaken", same, err)
			}
		}
	})
}

// TestMigrationKeysExistingUsernames: accounts made before usernames were
// normalised are found however their capitals are typed, and still hold
// their name against look-alikes.
func TestMigrationKeysExistingUsernames(t *testing.T) {
	ctx := context.Background()
	s, _ := migratedTo(t, 3)
	var id int64
	if err := s.DB().QueryRowContext(ctx,
		`INSERT INTO users (username, password_hash, created_at) VALUES ('Ana.Old', 'hash', 1) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate forward: %v", err)
	}
	for _, typed := range []string{"Ana.Old", "ana.old", "ＡＮＡ.ｏｌｄ"} {
		if u, _, err := s.UserByName(ctx, typed); err != nil || u.ID != id || u.Username != "Ana.Old" {
			t.Errorf("user by name %q after migrating: %+v, %v; want Ana.Old", typed, u, err)
		}
	}
	if _, err := s.CreateUser(ctx, "ana.OLD", "hash"); !errors.Is(err, db.ErrTaken) {
		t.Errorf("create ana.OLD after migrating: %v, want ErrTaken", err)
	}
}

// TestLanguageSetting: the language a person chose comes back with their
// session and their account, on both backends; "" follows the browser.
func TestLanguageSetting(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, "Zoë", "hash")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, "lang-session", u.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SessionUser(ctx, "lang-session"); err != nil || got.Lang != "" {
			t.Errorf("a new account's session user: %+v, %v; want no language chosen", got, err)
		}
		for _, lang := range []string{"es", "en", ""} {
			if err := s.SetLanguage(ctx, u.ID, lang); err != nil {
				t.Fatal(err)
			}
			got, err := s.SessionUser(ctx, "lang-session")
			if err != nil || got.Lang != lang {
				t.Errorf("session user after choosing %q: %+v, %v", lang, got, err)
			}
			byName, _, err := s.UserByName(ctx, "zoë")
			if err != nil || byName.Lang != lang {
				t.Errorf("user by name after choosing %q: %+v, %v", lang, byName, err)
			}
		}
	})
}
