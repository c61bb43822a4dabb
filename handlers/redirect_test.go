package handlers

import "testing"

func TestLocalPathAcceptsOnlyPathsOnThisSite(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/rooms/1?before=3", "/rooms/1?before=3"},
		{"/", "/"},
		{"/rooms/1", "/rooms/1"},
		{"", ""},
		{"rooms/1", ""},
		{"//evil.example", ""},
		{"/\\evil.example", ""},
		{"/%09/evil.example", ""},
		{"/%0a/evil.example", ""},
		{"/%5C/evil.example", ""},
		{"/%2F/evil.example", ""},
		{"/\t/evil.example", ""},
		{"/\n/evil.example", ""},
		{"/rooms/1\x7f", ""},
		{"https://evil.example", ""},
		{"https:/evil.example", ""},
		{"javascript:alert(1)", ""},
		{"/%zz", ""},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
