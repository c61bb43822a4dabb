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

func TestAccountsAndRooms(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		t.Run("FirstAccountIsTheAdminAndNamesAreUnique", func(t *testing.T) { testUsers(t, s) })
		t.Run("SessionsLiveUntilDeletedOrExpired", func(t *testing.T) { testSessions(t, s) })
		t.Run("AnInviteSignsUpOnePerson", func(t *testing.T) { testInvites(t, s) })
		t.Run("MembershipDecidesWhatIsListedAndUnread", func(t *testing.T) { testRooms(t, s) })
	})
}

func mustUser(t *testing.T, s *db.Store, name string) chat.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), name, "hash")
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func testUsers(t *testing.T, s *db.Store) {
	ctx := context.Background()
	ana, bo := mustUser(t, s, "ana"), mustUser(t, s, "bo.b")
	if !ana.Admin || bo.Admin {
		t.Fatalf("admin flags: ana %v, bo %v; want only the first account admin", ana.Admin, bo.Admin)
	}
	if _, err := s.CreateUser(ctx, "ANA", "hash"); !errors.Is(err, db.ErrTaken) {
		t.Fatalf("a name taken in another case: err = %v, want ErrTaken", err)
	}
	if _, err := s.CreateUser(ctx, "<b>", "hash"); !errors.Is(err, db.ErrBadUsername) {
		t.Fatalf("markup as a username: err = %v, want ErrBadUsername", err)
	}
	got, hash, err := s.UserByName(ctx, "Ana")
	if err != nil || got != ana || hash != "hash" {
		t.Fatalf("UserByName = %+v %q %v", got, hash, err)
	}
	if _, _, err := s.UserByName(ctx, "nobody"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("unknown user: err = %v", err)
	}
	rooms, err := s.Rooms(ctx, bo.ID)
	if err != nil || len(rooms) != 1 || rooms[0].ID != db.GeneralRoom {
		t.Fatalf("a new account's rooms = %+v, %v; want general", rooms, err)
	}
}

func testSessions(t *testing.T, s *db.Store) {
	ctx := context.Background()
	u := mustUser(t, s, "sess")
	if err := s.CreateSession(ctx, "live", u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, "old", u.ID, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SessionUser(ctx, "live"); err != nil || got.ID != u.ID {
		t.Fatalf("live session: %+v, %v", got, err)
	}
	if _, err := s.SessionUser(ctx, "old"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("expired session: err = %v, want ErrNotFound", err)
	}
	if n, err := s.DeleteExpired(ctx); err != nil || n < 1 {
		t.Fatalf("DeleteExpired = %d, %v; want the expired session gone", n, err)
	}
	if got, err := s.SessionUser(ctx, "live"); err != nil || got.ID != u.ID {
		t.Fatalf("a live session did not survive DeleteExpired: %v", err)
	}
	if err := s.DeleteSession(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, "live"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("deleted session: err = %v, want ErrNotFound", err)
	}
}

func testInvites(t *testing.T, s *db.Store) {
	ctx := context.Background()
	admin := mustUser(t, s, "inviter")
	if err := s.CreateInvite(ctx, "inv", admin.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimInvite(ctx, "inv"); err != nil {
		t.Fatalf("first claim: %v", err)
	}
	if err := s.ClaimInvite(ctx, "inv"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("second claim: err = %v, want ErrNotFound", err)
	}
	if err := s.ReleaseInvite(ctx, "inv"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimInvite(ctx, "inv"); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	if err := s.ClaimInvite(ctx, "no-such"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("unknown invite: err = %v", err)
	}
	if err := s.CreateInvite(ctx, "expired", admin.ID, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimInvite(ctx, "expired"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("expired invite: err = %v", err)
	}
}

func testRooms(t *testing.T, s *db.Store) {
	ctx := context.Background()
	a, b, c := mustUser(t, s, "room-a"), mustUser(t, s, "room-b"), mustUser(t, s, "room-c")
	secret, err := s.CreateRoom(ctx, "secret", chat.Private, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRoom(ctx, "secret", chat.Public, b.ID); !errors.Is(err, db.ErrTaken) {
		t.Fatalf("a taken room name: err = %v", err)
	}
	if _, err := s.CreateRoom(ctx, "Bad Name", chat.Public, b.ID); !errors.Is(err, db.ErrBadRoomName) {
		t.Fatalf("a bad room name: err = %v", err)
	}
	lobby, err := s.CreateRoom(ctx, "lobby", chat.Public, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, member, _ := s.RoomFor(ctx, secret.ID, c.ID); member {
		t.Fatal("c is a member of a private room nobody added them to")
	}
	if _, _, err := s.RoomFor(ctx, 999999, a.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("no such room: err = %v", err)
	}
	public, err := s.PublicRooms(ctx, c.ID)
	if err != nil || len(public) != 1 || public[0].ID != lobby.ID {
		t.Fatalf("public rooms c may join: %+v, %v; want lobby only (not secret)", public, err)
	}

	if _, _, err := s.AddMember(ctx, secret.ID, "room-b"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mustCreate(t, s, db.NewMessage{RoomID: secret.ID, UserID: a.ID, Key: "secret-key-" + string(rune('a'+i)), Author: "room-a", Body: "psst"})
	}
	mine, err := s.Rooms(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range mine {
		if r.ID == secret.ID && (r.Unread != 0 || r.Newest == 0) {
			t.Fatalf("the author's own messages: unread %d, newest %d; want 0 unread and the newest id", r.Unread, r.Newest)
		}
	}
	rooms, err := s.Rooms(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	unread := map[int64]int{}
	for _, r := range rooms {
		unread[r.ID] = r.Unread
	}
	if len(rooms) != 3 || unread[secret.ID] != 3 {
		t.Fatalf("b's rooms: %+v; want general, lobby, secret with 3 unread", rooms)
	}
	msgs, _ := s.MessagesAfter(ctx, secret.ID, 0, 10)
	if err := s.MarkRead(ctx, secret.ID, b.ID, msgs[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRead(ctx, secret.ID, b.ID, msgs[0].ID); err != nil { // never backwards
		t.Fatal(err)
	}
	rooms, _ = s.Rooms(ctx, b.ID)
	for _, r := range rooms {
		if r.ID == secret.ID && r.Unread != 1 {
			t.Fatalf("after reading 2 of 3: unread %d, want 1", r.Unread)
		}
	}
	// A newcomer does not inherit old messages as unread.
	if _, _, err := s.AddMember(ctx, secret.ID, "room-c"); err != nil {
		t.Fatal(err)
	}
	rooms, _ = s.Rooms(ctx, c.ID)
	for _, r := range rooms {
		if r.ID == secret.ID && r.Unread != 0 {
			t.Fatalf("a new member has %d unread", r.Unread)
		}
	}
	if err := s.Leave(ctx, secret.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, member, _ := s.RoomFor(ctx, secret.ID, c.ID); member {
		t.Fatal("still a member after leaving")
	}

	dm1, _, err := s.DirectRoom(ctx, a.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	dm2, _, err := s.DirectRoom(ctx, c.ID, a.ID)
	if err != nil || dm2.ID != dm1.ID {
		t.Fatalf("the same pair got rooms %d and %d", dm1.ID, dm2.ID)
	}
	rooms, _ = s.Rooms(ctx, c.ID)
	last := rooms[len(rooms)-1]
	if last.Kind != chat.Direct || last.Peer != "room-a" {
		t.Fatalf("c's direct room: %+v, want one with room-a, listed last", last)
	}
	if _, member, _ := s.RoomFor(ctx, dm1.ID, b.ID); member {
		t.Fatal("a third person is in a direct conversation")
	}
}
