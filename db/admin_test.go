package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// An admin lists the open invites and revokes one: its link stops working,
// and it leaves the list. Used, claimed and expired ones are not listed.
func TestOpenInvitesAndRevoke(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		admin := mustUser(t, s, "inviter")
		week := time.Now().Add(7 * 24 * time.Hour)
		for _, h := range []string{"open-1", "open-2", "claimed", "used"} {
			if err := s.CreateInvite(ctx, h, admin.ID, week); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateInvite(ctx, "expired", admin.ID, time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.ClaimInvite(ctx, "claimed"); err != nil {
			t.Fatal(err)
		}
		if err := s.ClaimInvite(ctx, "used"); err != nil {
			t.Fatal(err)
		}
		newcomer := mustUser(t, s, "newcomer")
		if err := s.UseInvite(ctx, "used", newcomer.ID); err != nil {
			t.Fatal(err)
		}
		open, err := s.OpenInvites(ctx)
		if err != nil || len(open) != 2 || open[0].By != "inviter" || open[0].Expires.Before(time.Now()) {
			t.Fatalf("open invites: %+v, %v; want open-1 and open-2 by inviter", open, err)
		}

		if err := s.RevokeInvite(ctx, "open-1"); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if err := s.ClaimInvite(ctx, "open-1"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("claim a revoked invite: err = %v, want ErrNotFound", err)
		}
		if err := s.RevokeInvite(ctx, "open-1"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("revoke twice: err = %v, want ErrNotFound", err)
		}
		if err := s.RevokeInvite(ctx, "used"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("revoke a used invite: err = %v, want ErrNotFound (it records who signed up)", err)
		}
		open, err = s.OpenInvites(ctx)
		if err != nil || len(open) != 1 || open[0].ID != "open-2" {
			t.Fatalf("open invites after revoking: %+v, %v; want open-2 only", open, err)
		}
	})
}

// A deactivated account has no sessions and says so when looked up; its
// messages stay with its name; the last admin cannot be deactivated; a
// reactivated account signs in afresh (its old sessions stay gone).
func TestDeactivateAccount(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		admin := mustUser(t, s, "boss")
		bo := mustUser(t, s, "bobo")
		week := time.Now().Add(7 * 24 * time.Hour)
		if err := s.CreateSession(ctx, "bo-session", bo.ID, week); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMessages(ctx, []db.NewMessage{{RoomID: db.GeneralRoom, UserID: bo.ID, Key: "bo-key-000001", Author: "bobo", Body: "still here"}}); err != nil {
			t.Fatal(err)
		}

		if err := s.DeactivateUser(ctx, bo.ID); err != nil {
			t.Fatalf("deactivate: %v", err)
		}
		if _, err := s.SessionUser(ctx, "bo-session"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("a deactivated account's session: err = %v, want ErrNotFound", err)
		}
		if u, _, err := s.UserByName(ctx, "bobo"); err != nil || !u.Deactivated {
			t.Fatalf("UserByName after deactivating: %+v, %v; want Deactivated", u, err)
		}
		// A session made afterwards (a sign-in racing the deactivation)
		// is refused too.
		if err := s.CreateSession(ctx, "bo-late", bo.ID, week); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, "bo-late"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("a session of a deactivated account: err = %v, want ErrNotFound", err)
		}
		msgs, err := s.Messages(ctx, db.GeneralRoom, 0, 10)
		if err != nil || len(msgs) != 1 || msgs[0].Author != "bobo" {
			t.Fatalf("messages after deactivating: %+v, %v; want bo's message with bobo's name", msgs, err)
		}
		people, err := s.Accounts(ctx)
		if err != nil || len(people) != 2 || people[0].Username != "bobo" || !people[0].Deactivated || people[1].Deactivated {
			t.Fatalf("accounts: %+v, %v; want bo deactivated, boss active", people, err)
		}

		if err := s.DeactivateUser(ctx, admin.ID); !errors.Is(err, db.ErrLastAdmin) {
			t.Fatalf("deactivate the last admin: err = %v, want ErrLastAdmin", err)
		}
		if err := s.DeactivateUser(ctx, 99999); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("deactivate nobody: err = %v, want ErrNotFound", err)
		}

		if err := s.ReactivateUser(ctx, bo.ID); err != nil {
			t.Fatalf("reactivate: %v", err)
		}
		if u, _, err := s.UserByName(ctx, "bobo"); err != nil || u.Deactivated {
			t.Fatalf("UserByName after reactivating: %+v, %v", u, err)
		}
		if _, err := s.SessionUser(ctx, "bo-session"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("a session from before the deactivation came back: err = %v", err)
		}
		if err := s.CreateSession(ctx, "bo-again", bo.ID, week); err != nil {
			t.Fatal(err)
		}
		if u, err := s.SessionUser(ctx, "bo-again"); err != nil || u.ID != bo.ID {
			t.Fatalf("a new session after reactivating: %+v, %v", u, err)
		}
	})
}
