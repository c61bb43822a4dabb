package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/charla/charla/db/dbtest"
)

// TestRunWithChangesSeesEveryPositionOnceAndTheFinalStates: senders mix
// edits and reactions into their messages, over two URLs of one server
// (instances, for the load generator). Every client reads each of its
// room's positions once and in order, the last state it read of each
// message is the database's, and the deliveries are split by whether the
// sender was on the receiver's instance.
func TestRunWithChangesSeesEveryPositionOnceAndTheFinalStates(t *testing.T) {
	store := dbtest.File(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCharla(t, store, ln)
	url := "http://" + ln.Addr().String() + "/"
	const clients = 4
	o := options{
		targets: []string{url, url},
		clients: clients, senders: 2, rate: 20, duration: 2 * time.Second,
		rooms: 1, accounts: clients, ramp: 100, drain: 3 * time.Second,
		changes: 0.4, store: store,
	}
	res, err := run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	quantiles := len(res.CDFms)
	res.CDFms, res.CrossCDFms = nil, nil // not for the log
	t.Logf("%+v", res)
	if res.ChangesSent == 0 || res.ChangesRead != int64(res.ChangesSent-res.ChangesRejected)*clients {
		t.Errorf("%d changes sent (%d rejected), read %d times by %d clients; want some, each read by every client", res.ChangesSent, res.ChangesRejected, res.ChangesRead, clients)
	}
	if res.Loss != 0 || res.Duplicates != 0 || res.OutOfOrder != 0 {
		t.Errorf("messages: loss %d, duplicates %d, out of order %d; want none", res.Loss, res.Duplicates, res.OutOfOrder)
	}
	if res.DBChecked != 1 || res.PosExpected == 0 || res.PosReceived != res.PosExpected ||
		res.PosMissing != 0 || res.PosDuplicates != 0 || res.PosOutOfOrder != 0 {
		t.Errorf("positions (checked against the database: %d): expected %d, read %d, missing %d, duplicates %d, out of order %d; want all read once in order",
			res.DBChecked, res.PosExpected, res.PosReceived, res.PosMissing, res.PosDuplicates, res.PosOutOfOrder)
	}
	if res.StatesChecked == 0 || res.StateMismatches != 0 {
		t.Errorf("final states: %d of %d differ from the database; want some checked, none differing", res.StateMismatches, res.StatesChecked)
	}
	if res.Instances != 2 || res.CrossP50ms == 0 || res.SameP50ms == 0 || quantiles != cdfSteps+1 {
		t.Errorf("instances %d, same p50 %.2f ms, cross p50 %.2f ms, %d quantiles; want both split out over 2", res.Instances, res.SameP50ms, res.CrossP50ms, quantiles)
	}
}
