package db_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/search"
)

// searchWorld is a few people, rooms and messages to search.
type searchWorld struct {
	alice, bob chat.User
	secret     chat.Room // private: alice, and bob until he is removed
	other      chat.Room // public: bob only
	direct     chat.Room // alice and bob
	bodies     map[int64]string
	rooms      map[int64]int64     // message id → room
	authors    map[int64]chat.User // message id → author
}

var searchBodies = []string{
	"Hola mundo",
	"¡MUNDO, hola!",
	"el mundial empieza",
	"Diseño nuevo del logo",
	"diseno sin tilde",
	"Café con leche, naïve question",
	"the ﬁnal answer is 42",
	"日本語のテキスト",
	"see https://example.com/path?q=hola for more",
	"`code` and ```block hola```",
	"holanda no es hola",
	"a b c d e f",
	"línea uno\nlínea dos mundo",
	"Straße und strasse",
	"ПРИВЕТ мир",
}

func buildSearchWorld(t *testing.T, s *db.Store) *searchWorld {
	t.Helper()
	ctx := context.Background()
	w := &searchWorld{bodies: map[int64]string{}, rooms: map[int64]int64{}, authors: map[int64]chat.User{}}
	var err error
	if w.alice, err = s.CreateUser(ctx, "alice", "x"); err != nil {
		t.Fatal(err)
	}
	if w.bob, err = s.CreateUser(ctx, "bob", "x"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []chat.User{w.alice, w.bob} {
		if err := s.Join(ctx, db.GeneralRoom, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if w.secret, err = s.CreateRoom(ctx, "secreto", chat.Private, w.alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddMember(ctx, w.secret.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if w.other, err = s.CreateRoom(ctx, "otra", chat.Public, w.bob.ID); err != nil {
		t.Fatal(err)
	}
	if w.direct, _, err = s.DirectRoom(ctx, w.alice.ID, w.bob.ID); err != nil {
		t.Fatal(err)
	}
	var batch []db.NewMessage
	rooms := []int64{db.GeneralRoom, w.secret.ID, w.other.ID, w.direct.ID}
	for i, body := range searchBodies {
		for j, room := range rooms {
			author := w.alice
			if j%2 == 1 {
				author = w.bob
			}
			batch = append(batch, db.NewMessage{RoomID: room, UserID: author.ID, Author: author.Username,
				Key: fmt.Sprintf("search-%03d-%d", i, j), Body: body})
		}
	}
	for _, st := range mustCreate(t, s, batch...) {
		w.bodies[st.Message.ID] = st.Message.Body
		w.rooms[st.Message.ID] = st.Message.RoomID
		w.authors[st.Message.ID] = w.alice
		if st.Message.UserID == w.bob.ID {
			w.authors[st.Message.ID] = w.bob
		}
	}
	return w
}

// change edits a message, or deletes it when body is "", as its author
// does (db.ChangeMessage: an UPDATE of its body, which a delete empties).
func (w *searchWorld) change(t *testing.T, s *db.Store, id int64, body string) {
	t.Helper()
	c := db.MessageChange{Kind: chat.Edit, RoomID: w.rooms[id], MessageID: id, By: w.authors[id], Body: body}
	if body == "" {
		c.Kind = chat.Delete
	}
	if _, err := s.ChangeMessage(context.Background(), c); err != nil {
		t.Fatalf("change message %d: %v", id, err)
	}
	w.bodies[id] = body
}

// want is the reference: the rule of package search applied to every
// message in rooms, newest first.
func (w *searchWorld) want(q search.Query, rooms ...int64) []int64 {
	var ids []int64
	for id, body := range w.bodies {
		if slices.Contains(rooms, w.rooms[id]) && body != "" && q.Matches(body) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	return ids
}

var searchQueries = []string{
	"hola", "HOLA", "hóla", "mun", "mundo hola", "hola mundo", "diseño", "diseno", "DISEÑO",
	"cafe", "café", "naive", "fin", "final 42", "42", "日本", "日本語の", "example", "https", "code",
	"block", "holanda", "a b", "x", "zzz", "línea dos", "linea", "strasse", "straße", "привет", "мир",
	"mundialista", "holandeses", "ejemplo", "hola hola hola", `"hola"`, "hola*", "hola OR mundo", "NEAR(hola)", "-hola", "mundo'", "",
}

func ids(msgs []chat.Message) []int64 {
	out := make([]int64, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// TestSearchPathsAgree: on a file (FTS5 and, forced, the like index) and
// on tursodb (the like index, as it has no FTS5), every query of a table
// gives the reference's results in the same order: the rule of package
// search over the rooms the person is a member of, after edits and
// deletes.
func TestSearchPathsAgree(t *testing.T) {
	check := func(t *testing.T, s *db.Store, wantKind string) {
		if got := s.SearchKind(); got != wantKind {
			t.Fatalf("search kind %q, want %q", got, wantKind)
		}
		ctx := context.Background()
		w := buildSearchWorld(t, s)
		// Index, then change messages: the index must follow.
		if err := s.IndexSearch(ctx); err != nil {
			t.Fatal(err)
		}
		var all []int64
		for id := range w.bodies {
			all = append(all, id)
		}
		slices.Sort(all)
		w.change(t, s, all[0], "editado: ahora dice adiós")
		w.change(t, s, all[4], "") // deleted
		w.change(t, s, all[5], "Hola otra vez")
		w.change(t, s, all[5], "third version, mundo")
		for _, typed := range searchQueries {
			q := search.Parse(typed)
			for _, u := range []struct {
				user  chat.User
				rooms []int64
			}{
				{w.alice, []int64{db.GeneralRoom, w.secret.ID, w.direct.ID}},
				{w.bob, []int64{db.GeneralRoom, w.secret.ID, w.other.ID, w.direct.ID}},
			} {
				res, err := s.Search(ctx, u.user.ID, q, 0, 1000)
				if err != nil {
					t.Fatalf("search %q: %v", typed, err)
				}
				if want := w.want(q, u.rooms...); !slices.Equal(ids(res.Hits), want) || res.More || res.Partial {
					t.Errorf("%s searches %q (terms %q): %v (more %v, partial %v), want %v", u.user.Username, typed, q.Terms, ids(res.Hits), res.More, res.Partial, want)
				}
			}
		}
		// Pages: newest first, keyset by id, bounded.
		q := search.Parse("hola")
		want := w.want(q, db.GeneralRoom, w.secret.ID, w.direct.ID)
		var got []int64
		before := int64(0)
		for {
			res, err := s.Search(ctx, w.alice.ID, q, before, 4)
			if err != nil {
				t.Fatal(err)
			}
			page, more := res.Hits, res.More
			if len(page) > 4 {
				t.Fatalf("page of %d, want at most 4", len(page))
			}
			got = append(got, ids(page)...)
			if !more {
				break
			}
			before = page[len(page)-1].ID
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages of 4 give %v, want %v", got, want)
		}
		// Removed from a room: nothing from it any more.
		if err := s.Leave(ctx, w.secret.ID, w.bob.ID); err != nil {
			t.Fatal(err)
		}
		res, err := s.Search(ctx, w.bob.ID, q, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		found := res.Hits
		for _, m := range found {
			if m.RoomID == w.secret.ID {
				t.Errorf("bob, removed from #secreto, still finds message %d there", m.ID)
			}
		}
		if want := w.want(q, db.GeneralRoom, w.other.ID, w.direct.ID); !slices.Equal(ids(found), want) {
			t.Errorf("bob after removal: %v, want %v", ids(found), want)
		}
	}
	t.Run("file-fts5", func(t *testing.T) { check(t, dbtest.File(t), "fts5") })
	t.Run("file-like", func(t *testing.T) {
		s := dbtest.File(t)
		s.UseLikeIndex()
		check(t, s, "like")
	})
	t.Run("turso-like", func(t *testing.T) { check(t, dbtest.Turso(t), "like") })
}

// TestSearchDoesNotWaitForABacklog: a search indexes a few batches of new
// messages itself and says the rest was not searched yet (the background
// indexer's work, after an upgrade); once indexed, all are found.
func TestSearchDoesNotWaitForABacklog(t *testing.T) {
	s := dbtest.File(t)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, "alice", "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Join(ctx, db.GeneralRoom, u.ID); err != nil {
		t.Fatal(err)
	}
	const n = 2600 // more than a search indexes itself (4 rounds of 500)
	for i := 0; i < n; i += 500 {
		var batch []db.NewMessage
		for j := i; j < i+500 && j < n; j++ {
			batch = append(batch, db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("backlog-%06d", j), Author: "alice", Body: fmt.Sprintf("pajar %d", j)})
		}
		mustCreate(t, s, batch...)
	}
	q := search.Parse("pajar")
	res, err := s.Search(ctx, u.ID, q, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Partial {
		t.Errorf("a search over a backlog of %d says it searched everything (%d hits)", n, len(res.Hits))
	}
	if err := s.IndexSearch(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = s.Search(ctx, u.ID, q, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Partial || len(res.Hits) != 10 || res.Hits[0].Body != fmt.Sprintf("pajar %d", n-1) {
		t.Errorf("after indexing: partial %v, %d hits, newest %q", res.Partial, len(res.Hits), res.Hits[0].Body)
	}
}

// TestTheDatabaseFileHoldsNoVirtualTable: after migrating and searching,
// the database file has no virtual table (the FTS5 index is a file of its
// own). tursodb 0.7.0 has no FTS5 and stops reading the schema at an FTS5
// table: measured, a table created after one was "no such table" there, so
// a file with one could no longer be served by tursodb once a later
// migration added a table.
func TestTheDatabaseFileHoldsNoVirtualTable(t *testing.T) {
	s := dbtest.File(t)
	ctx := context.Background()
	w := buildSearchWorld(t, s)
	if res, err := s.Search(ctx, w.alice.ID, search.Parse("hola"), 0, 10); err != nil || len(res.Hits) == 0 {
		t.Fatalf("search: %d hits, %v", len(res.Hits), err)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx,
		`SELECT COUNT(*) FROM sqlite_schema WHERE sql LIKE 'CREATE VIRTUAL TABLE%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the database file holds %d virtual tables, want none", n)
	}
	if kind := s.SearchKind(); kind != "fts5" {
		t.Errorf("a file database searches with %q, want fts5 (beside it)", kind)
	}
}

// TestAnIndexAheadOfTheDatabaseIsRebuilt: a database file restored from a
// backup next to a newer index file (whose ids its new messages will
// reuse) is searched as it is, not by the index's old words.
func TestAnIndexAheadOfTheDatabaseIsRebuilt(t *testing.T) {
	ctx := context.Background()
	newer := dbtest.FileURL(t)
	s := open(t, newer)
	w := buildSearchWorld(t, s)
	if err := s.IndexSearch(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The "backup": a database with fewer messages, beside the newer index.
	backup := dbtest.FileURL(t)
	index, err := os.ReadFile(strings.TrimSuffix(strings.TrimPrefix(newer, "file:"), ".db") + "-search.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(strings.TrimSuffix(strings.TrimPrefix(backup, "file:"), ".db")+"-search.db", index, 0o644); err != nil {
		t.Fatal(err)
	}
	b := open(t, backup)
	alice, err := b.CreateUser(ctx, "alice", "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Join(ctx, db.GeneralRoom, alice.ID); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, b, db.NewMessage{RoomID: db.GeneralRoom, UserID: alice.ID, Author: "alice", Key: "restored-1", Body: "solo esto"})
	for _, typed := range []string{"hola", "solo"} {
		res, err := b.Search(ctx, alice.ID, search.Parse(typed), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if typed == "solo" {
			want = 1
		}
		if len(res.Hits) != want {
			t.Errorf("%q in the restored database: %d hits, want %d (the old index had %d messages)", typed, len(res.Hits), want, len(w.bodies))
		}
	}
}

func open(t *testing.T, url string) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
