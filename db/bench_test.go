package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
	"github.com/charla/charla/migrations"
)

func benchMsg(i int64) db.NewMessage {
	return db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("bench-%010d", i), Author: "curious-otter", Body: fmt.Sprintf("message %d", i)}
}

// BenchmarkCreateMessage stores one message per statement, so one commit
// (and one fsync) per message: the baseline that group commit beats.
func BenchmarkCreateMessage(b *testing.B) {
	s := dbtest.File(b)
	ctx := context.Background()
	var n int64
	for b.Loop() {
		n++
		if _, err := s.CreateMessages(ctx, []db.NewMessage{benchMsg(n)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkWriterGroupCommit has 64 senders post at once, as 64 sockets
// would: the writer stores whatever is waiting in one commit.
func BenchmarkWriterGroupCommit(b *testing.B) {
	const senders = 64
	s := dbtest.File(b)
	w := db.NewWriter(s, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var writer sync.WaitGroup
	writer.Go(func() { w.Run(ctx) })
	defer func() { cancel(); writer.Wait() }()

	var n atomic.Int64
	b.SetParallelism((senders + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.Post(ctx, benchMsg(n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkFirstPage reads a room's newest page, as its page load does, in a
// room of 1,000,000 messages.
func BenchmarkFirstPage(b *testing.B) {
	s := millionRoom(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := s.Messages(ctx, db.GeneralRoom, 0, db.PageSize+1)
		if err != nil || len(msgs) != db.PageSize+1 {
			b.Fatalf("got %d messages, %v; want %d", len(msgs), err, db.PageSize+1)
		}
	}
}

// BenchmarkMessagesAfter1000 reads the 1,000 newest of 1,000,000 messages,
// as a client that reconnects 1,000 messages behind recovers them.
func BenchmarkMessagesAfter1000(b *testing.B) {
	s := millionRoom(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := s.MessagesAfter(ctx, db.GeneralRoom, millionMessages-1000, 1000)
		if err != nil || len(msgs) != 1000 {
			b.Fatalf("got %d messages, %v; want 1000", len(msgs), err)
		}
	}
}

// BenchmarkChangedAfter1000 reads what a page 1,000 positions behind
// missed, as the socket's replay does (by position, not id).
func BenchmarkChangedAfter1000(b *testing.B) {
	s := millionRoom(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := s.ChangedAfter(ctx, db.GeneralRoom, millionMessages-1000, 1000)
		if err != nil || len(msgs) != 1000 {
			b.Fatalf("got %d messages, %v; want 1000", len(msgs), err)
		}
	}
}

const millionMessages = 1_000_000

// millionSeedVersion names how the million messages are seeded: a change
// to the seeding (say, a column it must fill) builds a new file.
const millionSeedVersion = 2

var (
	millionOnce sync.Once
	millionPath string
	millionErr  error
)

// millionRoom returns a store on a database whose general room holds
// messages 1 to 1,000,000. The file takes a while to build, so it is kept
// in os.TempDir() under a name made from the migrations: a new schema
// builds a new file, and other runs reuse it.
func millionRoom(b *testing.B) *db.Store {
	b.Helper()
	millionOnce.Do(func() { millionPath, millionErr = buildMillionRoom() })
	if millionErr != nil {
		b.Fatal(millionErr)
	}
	s, err := db.Open(context.Background(), "file:"+millionPath, "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func buildMillionRoom() (string, error) {
	schema := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		fmt.Fprintf(schema, "%s %d\n%s", path, len(data), data)
		return err
	})
	if err != nil {
		return "", err
	}
	fmt.Fprintf(schema, "seed %d\n", millionSeedVersion)
	path := filepath.Join(os.TempDir(), "charla-bench-1m-"+hex.EncodeToString(schema.Sum(nil))[:16]+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}

	// Built under another name and renamed when complete, so that an
	// interrupted build is never taken for a finished one.
	tmp, err := os.MkdirTemp(os.TempDir(), "charla-bench-1m-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	built := filepath.Join(tmp, "1m.db")
	ctx := context.Background()
	s, err := db.Open(ctx, "file:"+built, "")
	if err != nil {
		return "", err
	}
	err = s.Migrate(ctx)
	if err == nil {
		_, err = s.DB().ExecContext(ctx, `
			INSERT INTO messages (room_id, client_key, author, body, created_at, pos)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT ?, 'bench-key-' || i, 'curious-otter', 'message number ' || i, 1767225600000 + i * 1000, i FROM n`,
			millionMessages, db.GeneralRoom)
	}
	if cerr := s.Close(); err == nil {
		err = cerr // closing checkpoints the WAL into the file
	}
	if err != nil {
		return "", fmt.Errorf("build %d messages: %w", millionMessages, err)
	}
	return path, os.Rename(built, path)
}
