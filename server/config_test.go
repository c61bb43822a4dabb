package server

import (
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestTrustedProxiesSetting(t *testing.T) {
	cfg, err := LoadConfig(env(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,2001:db8::/32"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range cfg.TrustedProxies {
		got = append(got, n.String())
	}
	if want := "10.0.0.0/8 192.0.2.7/32 2001:db8::/32"; strings.Join(got, " ") != want {
		t.Errorf("TRUSTED_PROXIES: %v, want %s", got, want)
	}
	if cfg, _ := LoadConfig(env(nil)); len(cfg.TrustedProxies) != 0 {
		t.Errorf("TRUSTED_PROXIES unset: %v, want none trusted", cfg.TrustedProxies)
	}
	if _, err := LoadConfig(env(map[string]string{"TRUSTED_PROXIES": "everyone"})); err == nil {
		t.Error("TRUSTED_PROXIES=everyone: no error")
	}
}

func TestSignupRateSetting(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want float64
		bad  bool
	}{
		{"", defaultSignupRate, false},
		{"off", 0, false},
		{"30", 30, false},
		{"-1", 0, true},
		{"lots", 0, true},
	} {
		cfg, err := LoadConfig(env(map[string]string{"CHARLA_SIGNUP_RATE": tc.v}))
		if (err != nil) != tc.bad || (!tc.bad && cfg.SignupRate != tc.want) {
			t.Errorf("CHARLA_SIGNUP_RATE=%q: %v, %v; want %v (error: %v)", tc.v, cfg.SignupRate, err, tc.want, tc.bad)
		}
	}
}

func TestNATSURLSetting(t *testing.T) {
	for v, ok := range map[string]bool{
		"":                                     true,
		"nats://127.0.0.1:4222":                true,
		"nats://a:4222, nats://user:pw@b:4222": true,
		"tls://nats.example.com:4222":          true,
		"127.0.0.1:4222":                       false, // no scheme: the client would read it as a path
		"http://127.0.0.1:4222":                false,
		"nats://":                              false,
	} {
		cfg, err := LoadConfig(env(map[string]string{"NATS_URL": v}))
		if (err == nil) != ok {
			t.Errorf("NATS_URL=%q: error %v, want ok=%v", v, err, ok)
		} else if ok && cfg.NATSURL != v {
			t.Errorf("NATS_URL=%q read as %q", v, cfg.NATSURL)
		}
	}
}
