package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// password is every load account's password.
const password = "load-password"

// site is one charla server made ready for a run: accounts signed up, and
// rooms created and joined. Clients share the accounts, as one person's
// tabs share a session: each sign-up costs the server an argon2id hash (19
// MiB, tens of ms), too dear to pay for each of 10,000 clients.
type site struct {
	base     *url.URL
	accounts [][]*http.Cookie // each account's cookies, to seed a client's jar
	rooms    []string         // each room's page
	retries  atomic.Int64     // sign-ups the server answered "busy" (503) and that were made again
}

// maxSignUpTries bounds how often one sign-up is made again after a
// "busy" (503) answer, which asks to come back after Retry-After.
const maxSignUpTries = 30

// account returns the account of client i: with as many accounts as a
// multiple of rooms, i's account is in i's room only.
func (s *site) account(i int) []*http.Cookie { return s.accounts[i%len(s.accounts)] }

// setUp readies target for o: it signs up the accounts, -signups-at-once
// at a time (each made again when the server says it is busy), and
// with several rooms has an owner create them (the owner holds no socket,
// so no client hears of every room) and each account join its own. With
// one room, everyone talks in #general, which every account is in.
func setUp(ctx context.Context, o options, target, runID string, transport http.RoundTripper) (*site, error) {
	base, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	s := &site{base: base}
	signUp := func(name string) (*http.Client, *url.URL, string, error) {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Transport: transport}
		_, page, err := get(ctx, hc, base.JoinPath("/signup").String())
		if err != nil {
			return nil, nil, "", err
		}
		form := url.Values{"_csrf": {attr(page, `name="_csrf" value="`)}, "username": {name}, "password": {password}}
		for try := 1; ; try++ {
			home, page, err := submit(ctx, hc, base.JoinPath("/signup").String(), form)
			var busy *busyError
			if errors.As(err, &busy) && try < maxSignUpTries {
				s.retries.Add(1)
				time.Sleep(busy.retryAfter)
				continue
			}
			if err != nil {
				return nil, nil, "", fmt.Errorf("sign up %s: %w", name, err)
			}
			return hc, home, attr(page, `name="_csrf" value="`), nil
		}
	}

	n := (min(o.clients, o.accounts) + o.rooms - 1) / o.rooms * o.rooms
	hcs, csrfs := make([]*http.Client, n), make([]string, n)
	s.accounts = make([][]*http.Cookie, n)
	var failed error
	var mu sync.Mutex
	var wg sync.WaitGroup
	signingUp := make(chan struct{}, max(1, o.signupsAtOnce))
	for k := range n {
		signingUp <- struct{}{}
		wg.Go(func() {
			defer func() { <-signingUp }()
			hc, home, csrf, err := signUp(fmt.Sprintf("load-%s-%d", runID, k))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = cmp.Or(failed, err)
				return
			}
			hcs[k], csrfs[k] = hc, csrf
			s.accounts[k] = hc.Jar.Cookies(base)
			if k == 0 && o.rooms == 1 {
				s.rooms = []string{home.String()} // where a new account lands: #general
			}
		})
	}
	wg.Wait()
	if failed != nil {
		return nil, failed
	}
	if o.rooms == 1 {
		return s, nil
	}

	owner, _, csrf, err := signUp("load-" + runID + "-owner")
	if err != nil {
		return nil, err
	}
	for r := range o.rooms {
		name := strings.ToLower("load-" + runID + "-" + strconv.Itoa(r))
		page, _, err := submit(ctx, owner, base.JoinPath("/rooms").String(), url.Values{"_csrf": {csrf}, "name": {name}, "kind": {"public"}})
		if err != nil {
			return nil, fmt.Errorf("create room %s: %w", name, err)
		}
		s.rooms = append(s.rooms, page.String())
	}
	for k, hc := range hcs {
		join := strings.TrimSuffix(s.rooms[k%o.rooms], "/") + "/join"
		if _, _, err := submit(ctx, hc, join, url.Values{"_csrf": {csrfs[k]}}); err != nil {
			return nil, fmt.Errorf("join %s: %w", join, err)
		}
	}
	return s, nil
}

// get loads a page, following redirects, and returns where it landed.
func get(ctx context.Context, hc *http.Client, page string) (*url.URL, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return nil, nil, err
	}
	return do(hc, req)
}

// submit posts a form as the page's own form would, following the
// redirect that answers it.
func submit(ctx context.Context, hc *http.Client, action string, form url.Values) (*url.URL, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(hc, req)
}

func do(hc *http.Client, req *http.Request) (*url.URL, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return nil, nil, &busyError{retryAfter: time.Duration(max(wait, 1)) * time.Second}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("%s %s: %s", req.Method, resp.Request.URL, resp.Status)
	}
	return resp.Request.URL, body, nil
}

// busyError is a 503: the server asks to come back after retryAfter.
type busyError struct{ retryAfter time.Duration }

func (e *busyError) Error() string { return "server busy (503)" }

// on returns the site as another instance at target serves it: the same
// accounts (a cookie holds for a host whatever its port, and the instances
// share the database its session is in) and the same rooms, at target.
func (s *site) on(target string) (*site, error) {
	base, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	other := &site{base: base, accounts: s.accounts}
	for _, page := range s.rooms {
		u, err := url.Parse(page)
		if err != nil {
			return nil, err
		}
		u.Scheme, u.Host = base.Scheme, base.Host
		other.rooms = append(other.rooms, u.String())
	}
	return other, nil
}
