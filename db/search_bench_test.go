package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/migrations"
	"github.com/charla/charla/search"
)

// searchMessages is how many messages the search benchmarks search.
const searchMessages = 100_000

// searchRooms is how many rooms they are spread over; the searcher is a
// member of every other one.
const searchRooms = 10

var (
	searchOnce sync.Once
	searchPath string
	searchUser int64
	searchErr  error
	searchVoc  []string
)

// BenchmarkSearch times one search (a page of 20 results) over 100,000
// messages of 8 to 20 words each (a vocabulary of 5,000 words with a Zipf
// distribution, as in speech), in 10 rooms of which the searcher is in 5,
// on both indexes of one file: FTS5 and the like index (instr over
// message_words, what a database without FTS5 uses), and on tursodb
// serving a copy of that file (the like index, through HTTP). Queries: the most
// common word (a page fills at once), a middling one, a rare one (few
// hits: the like index reads every row), two words, and a two-letter
// prefix.
func BenchmarkSearch(b *testing.B) {
	searchOnce.Do(func() { searchPath, searchUser, searchErr = buildSearchDB() })
	if searchErr != nil {
		b.Fatal(searchErr)
	}
	queries := []struct{ name, q string }{
		{"common", searchVoc[0]},
		{"middling", searchVoc[200]},
		{"rare", searchVoc[4900]},
		{"two-words", searchVoc[3] + " " + searchVoc[60]},
		{"prefix", searchVoc[7][:2]},
		{"nothing", "zzzzqqq"},
	}
	for _, kind := range []string{"fts5", "like", "like-turso"} {
		var s *db.Store
		if kind == "like-turso" {
			s = dbtest.TursoFile(b, copyFile(b, searchPath))
		} else {
			var err error
			if s, err = db.Open(context.Background(), "file:"+searchPath, ""); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
		}
		if kind == "like" {
			s.UseLikeIndex()
		}
		for _, q := range queries {
			b.Run(kind+"/"+q.name, func(b *testing.B) {
				ctx := context.Background()
				query := search.Parse(q.q)
				hits := 0
				for b.Loop() {
					res, err := s.Search(ctx, searchUser, query, 0, db.SearchPageSize)
					if err != nil {
						b.Fatal(err)
					}
					hits = len(res.Hits)
				}
				b.ReportMetric(float64(hits), "hits")
			})
		}
	}
}

// buildSearchDB returns the path of a database holding the benchmark's
// messages with both indexes built, and the searcher's id. Kept in
// os.TempDir() under a name made from the migrations, as millionRoom is.
func buildSearchDB() (string, int64, error) {
	searchVoc = vocabulary()
	schema := sha256.New()
	fmt.Fprintf(schema, "search-bench-v1 %d\n%s\n", searchMessages, db.FTSSchema)
	fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(migrations.FS, path)
			fmt.Fprintf(schema, "%s %d\n%s", path, len(data), data)
		}
		return err
	})
	name := "charla-bench-search-" + hex.EncodeToString(schema.Sum(nil))[:16]
	path := filepath.Join(os.TempDir(), name+".db")
	const searcher = 1 // the first account
	if _, err := os.Stat(path); err == nil {
		return path, searcher, nil
	}
	tmp, err := os.MkdirTemp(os.TempDir(), name+"-")
	if err != nil {
		return "", 0, err
	}
	defer os.RemoveAll(tmp)
	built := filepath.Join(tmp, "s.db")
	if err := fillSearchDB(built); err != nil {
		return "", 0, err
	}
	// The index file first: the database's name says both are complete.
	if err := os.Rename(filepath.Join(tmp, "s-search.db"), filepath.Join(os.TempDir(), name+"-search.db")); err != nil {
		return "", 0, err
	}
	return path, searcher, os.Rename(built, path)
}

func fillSearchDB(path string) error {
	ctx := context.Background()
	s, err := db.Open(ctx, "file:"+path, "")
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	u, err := s.CreateUser(ctx, "searcher", "x")
	if err != nil {
		return err
	}
	rooms := []int64{db.GeneralRoom}
	for i := 1; i < searchRooms; i++ {
		r, err := s.CreateRoom(ctx, fmt.Sprintf("room-%d", i), chat.Public, u.ID)
		if err != nil {
			return err
		}
		rooms = append(rooms, r.ID)
	}
	for i, r := range rooms {
		if i%2 == 1 {
			if err := s.Leave(ctx, r, u.ID); err != nil {
				return err
			}
		} else if err := s.Join(ctx, r, u.ID); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(searchVoc)-1))
	const batch = 1000
	for n := 0; n < searchMessages; n += batch {
		msgs := make([]db.NewMessage, batch)
		for i := range msgs {
			words := make([]string, 8+rng.IntN(13))
			for j := range words {
				words[j] = searchVoc[zipf.Uint64()]
			}
			msgs[i] = db.NewMessage{RoomID: rooms[rng.IntN(len(rooms))], UserID: u.ID, Author: "searcher",
				Key: fmt.Sprintf("search-bench-%08d", n+i), Body: strings.Join(words, " ")}
		}
		if _, err := s.CreateMessages(ctx, msgs); err != nil {
			return err
		}
	}
	if err := s.IndexSearch(ctx); err != nil { // FTS5
		return err
	}
	s.UseLikeIndex()
	return s.IndexSearch(ctx) // message_words
}

// vocabulary makes 5,000 distinct words from syllables, some accented.
func vocabulary() []string {
	syll := []string{"ca", "sa", "lo", "mi", "ño", "te", "ra", "pé", "du", "bi", "gó", "fa", "ne", "zu", "vi", "ké", "ha", "jo", "wi", "ye"}
	rng := rand.New(rand.NewPCG(3, 4))
	seen := map[string]bool{}
	var out []string
	for len(out) < 5000 {
		var w strings.Builder
		for range 2 + rng.IntN(3) {
			w.WriteString(syll[rng.IntN(len(syll))])
		}
		if !seen[w.String()] {
			seen[w.String()] = true
			out = append(out, w.String())
		}
	}
	return out
}

// copyFile copies the database at path into a temp dir (tursodb writes to
// what it serves) and returns the copy's path.
func copyFile(b *testing.B, path string) string {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "search.db")
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return dst
}
