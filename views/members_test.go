package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/charla/charla/chat"
)

// A topic change's fragment is the room's topic line, escaped, swapped in
// place by its stable id.
func TestTopicUpdateIsTheEscapedTopicLine(t *testing.T) {
	var b bytes.Buffer
	if err := TopicUpdate(chat.Room{ID: 7, Topic: `<img src=x> & "more"`}).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	want := `<p id="topic-7" class="topic" title="&lt;img src=x&gt; &amp; &#34;more&#34;" hx-swap-oob="outerHTML">&lt;img src=x&gt; &amp; &#34;more&#34;</p>`
	if got := b.String(); got != want {
		t.Errorf("TopicUpdate:\n got %s\nwant %s", got, want)
	}
}

// Each member's item has the ids live presence will use: member-ROOM-USER,
// data-user=USER, an empty .presence.
func TestMemberListItemsHaveStableIDs(t *testing.T) {
	var b bytes.Buffer
	members := []chat.User{{ID: 3, Username: "ana"}, {ID: 12, Username: "bruno", Deactivated: true}, {ID: 5, Username: "carla"}}
	if err := MemberList(9, members, 3, "tok", nil).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		`<ul id="members-9" class="members">`,
		`<li id="member-9-3" data-user="3"><span class="presence"></span>`,
		`<li id="member-9-12" data-user="12"><span class="presence"></span>`,
		`<span class="note">(you)</span>`,
		`<span class="note">(deactivated)</span>`,
		`<button type="submit" aria-label="Message carla">Message</button>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the member list lacks %s\n%s", want, got)
		}
	}
	if strings.Contains(got, `aria-label="Message ana"`) || strings.Contains(got, `aria-label="Message bruno"`) {
		t.Errorf("a Message button for oneself or a deactivated account:\n%s", got)
	}
}
