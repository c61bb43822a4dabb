// charla.js: the few things htmx and hx-ws cannot say in attributes.
//  1. Recovery: every (re)connect asks for the room's changes after the
//     newest position the page has seen (its cursor: every message in a
//     frame carries its data-pos), saying which is its newest message (hx-ws
//     reuses the URL it was given, and reopens a socket after a hidden tab
//     comes back without asking, so the URL is kept current as frames
//     arrive).
//  2. Enter sends from the textarea (Shift+Enter is a new line), and the
//     placeholder says so only then: without script Enter is a new line.
//  3. What was sent shows at once as pending, and the composer empties and
//     gets a new one-time key; the server's copy replaces the pending one.
//     Pending messages are sent again on reconnect: the key makes that safe.
//  4. The page says whether it is connected (or closed for good, when the
//     person has it open in too many tabs), and reloads when the server
//     says it missed too much to catch up. When a socket closes it
//     checks that the page is still its to see: a refused handshake (signed
//     out, removed from the room) looks like a network error to hx-ws,
//     which would retry for ever. A room that is gone for the person (left
//     in another tab) sends the page to one they have.
//  5. A page shown again from the back/forward cache (Back, Forward) is
//     loaded anew: hx-ws closed its socket when it was hidden and does not
//     reopen it, so the page would stay "reconnecting…" for good.
// Words shown here come from the page, in its reader's language (see
// package i18n): the status's on #chat (data-status-*), "sending…" too.
(() => {
  const words = document.getElementById("chat")?.dataset ?? {};
  const newestID = () => document.querySelector("#messages > [data-id]:last-child")?.dataset.id ?? "0";

  const chat = document.querySelector("[hx-ws\\:connect]");
  let cursor = chat ? Number(new URL(chat.getAttribute("hx-ws:connect"), location.href).searchParams.get("after")) : 0;
  // Frames are rendered by the server, which escapes every quote in a
  // message's text: data-pos="N" can only be a message's position.
  const advance = (frame) => {
    for (const m of frame.matchAll(/data-pos="(\d+)"/g)) cursor = Math.max(cursor, Number(m[1]));
  };

  const socketURL = (el) => {
    const u = new URL(el.getAttribute("hx-ws:connect"), location.href);
    u.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    u.searchParams.set("after", String(cursor));
    u.searchParams.set("newest", newestID());
    return u.href;
  };

  // say shows #chat's data-status-<what> ("too-many-tabs") as the status.
  const say = (what) => {
    const s = document.getElementById("status");
    const key = "status" + what.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
    if (s) s.textContent = words[key] ?? what;
  };
  const setStatus = (state, what = state) => {
    document.body.dataset.ws = state;
    say(what);
  };

  const newKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

  document.addEventListener("htmx:ws:before:connection", (e) => {
    e.detail.connection.url = socketURL(e.target);
    if (document.body.dataset.ws) setStatus("reconnecting");
  });

  document.addEventListener("htmx:ws:after:connection", (e) => {
    setStatus("connected");
    for (const p of document.querySelectorAll("#pending > .pending")) {
      e.detail.connection.socket.send(JSON.stringify({ key: p.dataset.key, body: p.dataset.body }));
    }
  });

  // Close codes of charla's own, which hx-ws does not retry.
  const tooManyTabs = 4001; // this person opened more sockets than allowed; this was the oldest

  document.addEventListener("htmx:ws:close", (e) => {
    if (e.detail.code === tooManyTabs) {
      setStatus("closed", "too-many-tabs");
      return;
    }
    setStatus("reconnecting");
    fetch(location.pathname, { redirect: "manual", cache: "no-store" })
      .then((r) => {
        // The room is gone for this person (left here, the form's answer
        // on its way, or in another tab): go where the form goes, to a room
        // they have, rather than reload a 404.
        if (r.status === 404) location.replace("/");
        else if (r.type === "opaqueredirect" || r.status === 401 || r.status === 403) location.reload();
      })
      .catch(() => {}); // the server is down: hx-ws keeps trying
  });

  document.addEventListener("htmx:ws:after:message:incoming", (e) => {
    // The server replays at most so many missed messages: past that it
    // swaps in a status that asks for a reload, which shows the newest page.
    if (document.getElementById("status")?.hasAttribute("data-reload")) {
      say("reloading");
      location.reload();
      return;
    }
    if (typeof e.detail.message.data === "string") advance(e.detail.message.data);
    e.detail.connection.url = socketURL(e.target);
  });

  document.addEventListener("htmx:ws:before:message:outgoing", (e) => {
    // Edits, deletions and reactions say their kind; only messages (the
    // composer, a retry) have no kind and show a pending copy.
    if (e.detail.message.values.kind) return;
    const { body, key } = e.detail.message.values;
    if (typeof body !== "string" || body.trim() === "") {
      e.detail.cancelled = true;
      return;
    }
    const p = document.createElement("article");
    p.id = "pending-" + key;
    p.className = "msg pending";
    p.dataset.key = key;
    p.dataset.body = body;
    const text = document.createElement("p");
    text.className = "body";
    text.textContent = body;
    const state = document.createElement("p");
    state.className = "state";
    state.textContent = words.sending ?? "…";
    p.append(text, state);
    document.getElementById(p.id)?.remove();
    document.getElementById("pending").append(p);

    const form = e.target.closest("form");
    if (form?.id === "composer") {
      form.elements.body.value = "";
      form.elements.key.value = newKey();
    }
  });

  addEventListener("pageshow", (e) => {
    if (e.persisted) location.reload();
  });

  for (const t of document.querySelectorAll("textarea[data-enter-hint]")) t.placeholder += t.dataset.enterHint;

  document.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing) return;
    if (!e.target.matches("form[hx-ws\\:send] textarea")) return;
    e.preventDefault();
    // Nothing to send: no pending copy, no frame, no browser complaint.
    if (e.target.value.trim() === "") return;
    e.target.form.requestSubmit();
  });
})();

// ---- Dates (issue 9, item 3) -------------------------------------------
// Each message's <time datetime> is shown in the reader's own zone and
// format, and the first message of each day carries its day's label
// ("Today", "Yesterday", a date) in data-day-label, which the CSS draws
// above it. The server renders a message once for every reader and sends
// the same bytes to every socket, so it cannot know the reader's zone or
// what "today" is for them: its times (and, on full pages, its labels) are
// in the server's zone, the fallback without script.
// htmx cannot say this in attributes: it only swaps in what the server
// sent, and a label depends on the message's neighbours, which change
// whenever one arrives, is replaced, or older history loads above. A
// MutationObserver on #messages sees all of those, whichever htmx event
// (socket upsert, replay, older page) brought them.
// Labels are attributes on messages rather than separator elements in
// #messages: hx-upsert inserts a message before the first child with a
// greater data-id and skips children without one, so a separator would land
// on the wrong side of messages inserted next to it; and recovery reads the
// newest id from #messages' last child.
(() => {
  const list = document.getElementById("messages");
  if (!list) return;
  const lang = document.documentElement.lang || undefined;
  const timeFmt = new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit" });
  const fullFmt = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "long" });
  const dayFmt = new Intl.DateTimeFormat(lang, { weekday: "long", month: "long", day: "numeric" });
  const dayYearFmt = new Intl.DateTimeFormat(lang, { weekday: "long", month: "long", day: "numeric", year: "numeric" });
  const dayKey = (d) => `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;

  // Each message element is localised once; an element that upsert puts
  // in its place is a new one, and is localised in turn.
  const dates = new WeakMap();
  const localise = (m) => {
    if (dates.has(m)) return dates.get(m);
    const t = m.querySelector("time[datetime]");
    const d = t ? new Date(t.getAttribute("datetime")) : null;
    if (d && !isNaN(d)) {
      t.textContent = timeFmt.format(d);
      t.title = fullFmt.format(d);
    }
    dates.set(m, d && !isNaN(d) ? d : null);
    return dates.get(m);
  };

  const label = (d, now) => {
    const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
    if (dayKey(d) === dayKey(now)) return list.dataset.today;
    if (dayKey(d) === dayKey(yesterday)) return list.dataset.yesterday;
    return (d.getFullYear() === now.getFullYear() ? dayFmt : dayYearFmt).format(d);
  };

  const relabel = () => {
    const now = new Date();
    let last = "";
    for (const m of list.children) {
      const d = localise(m);
      const key = d ? dayKey(d) : last;
      const want = d && key !== last ? label(d, now) : null;
      if (want === null) m.removeAttribute("data-day-label");
      else if (m.dataset.dayLabel !== want) m.dataset.dayLabel = want;
      last = key;
    }
  };

  // "Today" becomes "Yesterday" at the reader's midnight, and a page may
  // have slept through one.
  const atMidnight = () => {
    const now = new Date();
    const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    setTimeout(() => {
      relabel();
      atMidnight();
    }, next - now + 1000);
  };

  relabel();
  new MutationObserver(relabel).observe(list, { childList: true });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) relabel();
  });
  atMidnight();
})();

// ---- Groups (issue 9, item 5) -------------------------------------------
// It comes after Dates and before "Where I stopped": MutationObservers
// run in the order they were made, and the view-holding there must measure
// the heights that grouping has already changed.
// Consecutive messages from one person within a few minutes show under one
// name: a message that continues its author's group carries data-grouped,
// and the CSS hides its name (but from screen readers) and initials. The
// server renders a message once for every reader, and whether it continues
// a group depends on the message before it on this page, which changes as
// messages arrive, are replaced, or older history loads above: so the page
// decides, by each message's data-author and <time datetime>, with a
// MutationObserver on #messages as for the day labels above. The window is
// the server's (#messages' data-group-within, views.GroupWithin), and a
// group never spans two of the reader's days. Full pages come grouped by
// the server, the fallback without script.
(() => {
  const list = document.getElementById("messages");
  const within = Number(list?.dataset.groupWithin) * 1000;
  if (!list || !within) return;

  const at = (m) => {
    const d = new Date(m.querySelector(":scope > header > time[datetime]")?.getAttribute("datetime") ?? NaN);
    return isNaN(d) ? null : d;
  };
  const sameDay = (a, b) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

  const regroup = () => {
    let prev = null;
    let prevAt = null;
    for (const m of list.children) {
      const d = at(m);
      const gap = d && prevAt ? d - prevAt : -1;
      const grouped = !!m.dataset.author && m.dataset.author === prev?.dataset.author && gap >= 0 && gap <= within && sameDay(d, prevAt);
      if (grouped !== m.hasAttribute("data-grouped")) m.toggleAttribute("data-grouped", grouped);
      prev = m;
      prevAt = d;
    }
  };

  regroup();
  new MutationObserver(regroup).observe(list, { childList: true });
})();

// Failures stay small (issue 9, item 10): a counter near the length limit.
// The server renders the limit on the composer (data-max-length, from
// db.MaxMessageLen) and still refuses a longer message with its text kept;
// the counter tells before that happens. It counts characters (code
// points) as the server does, not UTF-16 units as maxlength would. (A
// burst over the send limit needs nothing here: the server paces it, see
// handlers/chat.go.)
(() => {
  const counterFrom = 500; // characters left at which the counter appears
  const lang = document.documentElement.lang || undefined;
  const num = (n) => n.toLocaleString(lang);

  const count = (t) => {
    const out = t.form?.querySelector("output.counter");
    const max = Number(t.dataset.maxLength);
    if (!out || !max) return;
    const left = max - [...t.value].length;
    out.hidden = left > counterFrom;
    out.classList.toggle("over", left < 0);
    // The words are the page's, in its reader's language ({n}, {max}).
    const words = left >= 0 ? out.dataset.left : out.dataset.over;
    out.textContent = (words ?? "{n}").replace("{n}", num(Math.abs(left))).replace("{max}", num(max));
  };
  const composers = () => document.querySelectorAll("textarea[data-max-length]");

  document.addEventListener("input", (e) => {
    if (e.target.matches?.("textarea[data-max-length]")) count(e.target);
  });
  // The composer empties itself after a send, which fires no input event.
  document.addEventListener("htmx:ws:before:message:outgoing", () => composers().forEach(count));
  composers().forEach(count); // a draft handed back by the server
})();

// Admin (issue 9, item 11): "Copy" beside a new invite link. htmx has no
// clipboard; without script the button stays hidden and the link is a
// read-only field whose text can be selected and copied by hand.
(() => {
  document.querySelectorAll("button[data-copy]").forEach((b) => {
    const field = document.querySelector(b.dataset.copy);
    if (!field || !navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        b.textContent = b.dataset.copied ?? b.textContent;
      } catch {
        field.select(); // no permission: leave it selected to copy by hand
      }
    });
  });
})();

// ---- Where I stopped (issue 9, item 4) ---------------------------------
// The room's page is rendered for its reader: the first message they had
// not seen carries data-unread-label (the CSS draws a "new messages" line),
// and the page opens there instead of at the bottom.
// What arrives afterwards comes in fragments rendered once for everyone, so
// the page keeps its own count: a message from someone else added below
// while the log is scrolled up (or the tab is hidden) is unseen. While
// scrolled up the view stays where it is, and the "N new" button (in the
// page's markup, hidden) jumps to the newest message. At the bottom the
// view follows new messages as before (the log's column-reverse does it).
// The tab's title and icon show the unseen messages here plus the sidebar's
// unread badges (the other rooms, kept live by the socket).
// A MutationObserver on #messages sees messages whichever htmx event
// brought them (live, replayed after a reconnect, older history above).
(() => {
  const list = document.getElementById("messages");
  const scroller = list?.closest(".scroller");
  const jump = document.querySelector("button.jump");
  if (!list || !scroller || !jump) return; // not a live room page
  const log = list.parentElement;
  const nearBottom = 48; // px: a reader this close to the newest message is at the bottom
  const me = document.querySelector(".top .me")?.textContent.trim();
  const baseTitle = document.title;
  const icon = document.querySelector('link[rel="icon"]');
  const baseIcon = icon?.getAttribute("href");

  // How far the newest message's bottom is below the view's:
  // layout-independent, whichever way the scroller counts scrollTop.
  const fromBottom = () => log.getBoundingClientRect().bottom - scroller.getBoundingClientRect().bottom;
  const idOf = (m) => Number(m.dataset?.id) || 0;

  let atBottom = true;
  let anchor = null; // the message at the view's top as the reader left it, and where
  let unseen = 0;
  let newest = Math.max(0, ...Array.from(list.children, idOf));
  const sent = new Set(); // keys this page sent: its own messages

  const drawIcon = (n) => {
    if (!icon) return;
    if (n === 0) {
      icon.setAttribute("href", baseIcon);
      return;
    }
    const size = 32;
    const c = document.createElement("canvas");
    c.width = c.height = size;
    const g = c.getContext("2d");
    g.fillStyle = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#2f6f4f";
    g.beginPath();
    g.arc(size / 2, size / 2, size / 2, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = getComputedStyle(document.documentElement).getPropertyValue("--on-accent").trim() || "#fff";
    g.font = `bold ${n > 9 ? 16 : 20}px sans-serif`;
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(n > 9 ? "9+" : String(n), size / 2, size / 2 + 1);
    icon.setAttribute("href", c.toDataURL("image/png"));
  };

  let shownCount = -1;
  const showCount = () => {
    let n = unseen;
    for (const b of document.querySelectorAll("#rooms .unread")) n += parseInt(b.textContent, 10) || 0;
    if (n === shownCount) return;
    shownCount = n;
    document.title = n > 0 ? `(${n}) ${baseTitle}` : baseTitle;
    drawIcon(n);
  };

  const update = () => {
    if (atBottom && !document.hidden) unseen = 0;
    jump.hidden = atBottom || unseen === 0;
    if (!jump.hidden) jump.textContent = jump.dataset.text.replace("{n}", unseen.toLocaleString(document.documentElement.lang || undefined));
    showCount();
  };

  const measure = () => {
    atBottom = fromBottom() <= nearBottom;
    const box = scroller.getBoundingClientRect();
    const el = document.elementFromPoint(box.left + box.width / 2, box.top + 1)?.closest("#messages > *");
    anchor = el ? { el, top: el.getBoundingClientRect().top - box.top } : null;
    update();
  };

  // Puts the anchor back where the reader left it.
  const hold = () => {
    if (!anchor?.el.isConnected) return;
    scroller.scrollTop += anchor.el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - anchor.top;
  };

  const toBottom = () => {
    scroller.scrollTop += fromBottom();
    measure();
  };

  const mine = (m) => sent.has(m.dataset.key) || (me && m.querySelector(".author")?.textContent.trim() === me);

  new MutationObserver((records) => {
    let below = 0;
    for (const r of records) {
      for (const m of r.addedNodes) {
        if (idOf(m) <= newest) continue; // older history, or a copy replaced
        newest = idOf(m);
        below++;
        if ((!atBottom || document.hidden) && !mine(m)) unseen++;
      }
    }
    if (below === 0) return;
    // Scrolled up: the view stays on what the reader was reading, however
    // the browser anchors a column-reverse scroller.
    if (!atBottom) hold();
    update();
  }).observe(list, { childList: true });

  scroller.addEventListener("scroll", measure, { passive: true });
  jump.addEventListener("click", toBottom);
  document.addEventListener("visibilitychange", update);
  // What the reader sends is news to nobody here: the view goes to it.
  document.addEventListener("htmx:ws:before:message:outgoing", (e) => {
    if (e.detail.cancelled) return;
    sent.add(e.detail.message.values.key);
    toBottom();
  });
  // The other rooms' badges: replaced by the socket, or the whole list.
  const sidebar = document.getElementById("sidebar");
  if (sidebar) new MutationObserver(showCount).observe(sidebar, { childList: true, subtree: true, characterData: true });

  // Once every deferred script has run (and whatever it changed in the
  // messages' heights): the view starts at the line, if there is one.
  const start = () => {
    list.querySelector("[data-unread-label]")?.scrollIntoView({ block: "start" });
    measure();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// ---- Room events: typing, message menus (issue 8) ------------------------
// While the person types, the room hears "typing" at most every 2 s (the
// server drops more); each name others see goes 3 s after it came, so a
// name stays while its person types and goes soon after they stop (or at
// once when their message arrives: its frame deletes the mark). The
// server renders one mark per typist for everyone; the viewer's own is
// dropped here, and the words ("is typing", "are typing") come from the
// page, in its language. A message's menu closes with its Close button.
(() => {
  const chat = document.querySelector("[hx-ws\\:connect]");
  const typing = document.getElementById("typing");
  if (!chat || !typing) return;
  const me = chat.dataset.userId;
  const shownFor = 3000;
  const every = 2000;

  let socket = null;
  document.addEventListener("htmx:ws:after:connection", (e) => (socket = e.detail.connection.socket));

  let last = 0;
  document.addEventListener("input", (e) => {
    if (!e.target.matches("#composer textarea") || e.target.value.trim() === "") return;
    const now = Date.now();
    if (now - last < every || socket?.readyState !== WebSocket.OPEN) return;
    last = now;
    socket.send(JSON.stringify({ kind: "typing" }));
  });

  const label = () => {
    const n = typing.children.length;
    const line = typing.parentElement;
    line.dataset.count = n === 0 ? "0" : n === 1 ? "1" : "many";
  };
  new MutationObserver((records) => {
    for (const r of records) {
      for (const b of r.addedNodes) {
        if (!(b instanceof Element)) continue;
        if (b.dataset.user === me) b.remove();
        else setTimeout(() => { b.remove(); label(); }, shownFor);
      }
    }
    label();
  }).observe(typing, { childList: true });

  document.addEventListener("click", (e) => {
    const close = e.target.closest(".close-menu");
    if (close) close.closest(".msg-menu")?.replaceChildren();
  });
})();

// ---- Accessibility (issue 9, item 12) ----------------------------------
// #messages is not a live region (aria-live="off"): older history loaded
// above would be read aloud fifty messages at a time. Messages that arrive
// below, from others, are read through #announce instead: a message whose
// id is above every id the page held is new; one below is history. And
// after Send (a click, or Enter) the focus is back in the composer, ready
// for the next message. htmx has no hook that tells new from old.
(() => {
  const list = document.getElementById("messages");
  const say = document.getElementById("announce");
  if (!list || !say) return;
  const keep = 5; // messages the region holds: what a reader catches up on, not the log
  const me = document.getElementById("chat")?.dataset.me ?? "";
  let newest = Math.max(0, ...Array.from(list.children, (m) => Number(m.dataset.id) || 0));

  new MutationObserver((records) => {
    for (const r of records) {
      for (const m of r.addedNodes) {
        const id = Number(m.dataset?.id) || 0;
        if (id <= newest) continue; // history loaded above, or a copy replaced
        newest = id;
        const author = m.dataset.author ?? "";
        if (author.toLowerCase() === me) continue; // one's own: news to nobody
        const mentioned = me && m.querySelector(`.mention[data-mention="${CSS.escape(me)}"]`);
        const line = document.createElement("p");
        line.textContent = author + (mentioned ? " " + say.dataset.mentioned : ": ") + (m.querySelector(".body")?.textContent ?? "");
        say.append(line);
        while (say.children.length > keep) say.firstElementChild.remove();
      }
    }
  }).observe(list, { childList: true });

  document.addEventListener("htmx:ws:before:message:outgoing", (e) => {
    if (e.detail.cancelled) return;
    const form = e.target.closest("form");
    if (form?.id === "composer") form.elements.body.focus();
  });
})();

// ---- Mentions and notifications (issue 9, item 6) ----------------------
// @ in the composer suggests the room's members whose names begin with what
// follows it (GET /rooms/{id}/names?q=…, options rendered by the server):
// Up/Down choose, Enter or Tab take one, Escape closes. A <datalist>
// cannot serve a textarea.
(() => {
  const form = document.getElementById("composer");
  const t = form?.elements.body;
  const box = document.getElementById("suggest");
  if (!t || !box || !form.dataset.names) return;
  const typing = /(?:^|[^\p{L}\p{N}\p{M}_.\-])@([\p{L}\p{N}\p{M}_.\-]{1,32})$/u; // an @name before the caret
  let at = -1; // where the @ of the name being typed is
  let active = -1;
  let asked = 0; // the newest question: older answers are dropped

  const options = () => Array.from(box.children);
  const close = () => {
    asked++; // an answer still on its way must not open the box again
    box.hidden = true;
    box.replaceChildren();
    t.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const choose = (i) => {
    options().forEach((o, j) => o.setAttribute("aria-selected", String(i === j)));
    active = i;
    t.setAttribute("aria-activedescendant", options()[i].id);
  };
  const take = (o) => {
    const before = t.value.slice(0, at) + "@" + o.dataset.name + " ";
    t.value = before + t.value.slice(t.selectionStart);
    t.setSelectionRange(before.length, before.length);
    close();
  };

  t.addEventListener("input", async () => {
    const m = typing.exec(t.value.slice(0, t.selectionStart));
    if (!m) return close();
    at = t.selectionStart - m[1].length - 1;
    const n = ++asked;
    const r = await fetch(form.dataset.names + "?q=" + encodeURIComponent(m[1]), { cache: "no-store" }).catch(() => null);
    const html = r?.ok ? await r.text() : "";
    if (n !== asked) return;
    box.innerHTML = html; // the server's own escaped fragment
    if (!box.children.length) return close();
    box.hidden = false;
    choose(0);
  });
  // Before the composer's Enter-sends handler (on document): Enter takes a name.
  t.addEventListener("keydown", (e) => {
    if (box.hidden) return;
    const n = options().length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") choose((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
    else if (e.key === "Enter" || e.key === "Tab") take(options()[active]);
    else if (e.key === "Escape") close();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  box.addEventListener("mousedown", (e) => {
    const o = e.target.closest("li");
    if (!o) return;
    e.preventDefault(); // the composer keeps the focus
    take(o);
  });
  t.addEventListener("blur", close);
  document.addEventListener("htmx:ws:before:message:outgoing", close);
})();

// Notifications, with the person's permission (asked only by the sidebar's
// button, never on load): a message that mentions them, or any in a direct
// conversation, while this tab is hidden (in this room) or in another room.
// This room's messages are on the page. Another room's arrive as its
// badges, kept live by the socket (the person's rooms only): when a
// mention badge, or a direct conversation's unread badge, goes up, the
// page asks GET /rooms/{id}/notice for the message (author and the start of
// its text; members only). A tag per message: two tabs show one.
(() => {
  const me = document.getElementById("chat")?.dataset.me;
  const list = document.getElementById("messages");
  const box = document.querySelector(".notify");
  if (!me || !list || !box || !("Notification" in window)) return;
  const current = location.pathname.match(/^\/rooms\/(\d+)/)?.[1];

  const showBox = () => {
    box.hidden = Notification.permission === "granted";
    if (Notification.permission === "denied") box.textContent = box.dataset.blocked;
  };
  // hx-ws closes a hidden tab's socket (pauseOnBackground) and opens it
  // again when the tab is shown: a hidden tab would hear of nothing. With
  // notifications allowed, the socket stays open while hidden.
  let connection = null;
  const stayOpen = () => {
    if (Notification.permission !== "granted" || !connection) return;
    connection.config.pauseOnBackground = false;
    if (connection.visibilityHandler) document.removeEventListener("visibilitychange", connection.visibilityHandler);
    connection.visibilityHandler = null;
  };
  document.addEventListener("htmx:ws:before:connection", (e) => {
    connection = e.detail.connection;
    if (Notification.permission === "granted") connection.config.pauseOnBackground = false;
  });
  document.addEventListener("htmx:ws:after:connection", (e) => {
    connection = e.detail.connection;
    stayOpen();
  });
  box.querySelector("button")?.addEventListener("click", () =>
    Notification.requestPermission().then(() => {
      showBox();
      stayOpen();
    }),
  );
  showBox();

  const label = (room) => document.querySelector(`#rooms a[href="/rooms/${room}"]`)?.textContent.trim() ?? "";
  const direct = (room) => label(room).startsWith("@");
  const seen = new Set();
  const notify = (room, id, author, text, mention) => {
    if (Notification.permission !== "granted" || seen.has(id)) return;
    seen.add(id);
    const title = (mention ? box.dataset.mention : box.dataset.direct).replace("{author}", author).replace("{room}", label(room));
    let n;
    try {
      n = new Notification(title, { body: text, tag: "charla-" + id });
    } catch {
      return; // Chrome on Android shows them only from a service worker, which charla has not
    }
    n.onclick = () => {
      focus();
      if (room !== current) location.href = "/rooms/" + room;
      n.close();
    };
  };

  let newest = Math.max(0, ...Array.from(list.children, (m) => Number(m.dataset.id) || 0));
  new MutationObserver((records) => {
    for (const r of records) {
      for (const m of r.addedNodes) {
        const id = Number(m.dataset?.id) || 0;
        if (id <= newest) continue;
        newest = id;
        const author = m.dataset.author ?? "";
        if (!document.hidden || author.toLowerCase() === me) continue;
        const mention = !!m.querySelector(`.mention[data-mention="${CSS.escape(me)}"]`);
        if (mention || direct(current)) notify(current, id, author, m.querySelector(".body")?.textContent.slice(0, 120) ?? "", mention);
      }
    }
  }).observe(list, { childList: true });

  // The badges as last seen, by room: one that goes up is news.
  const counts = (sel) => new Map(Array.from(document.querySelectorAll(`#rooms ${sel}`), (b) => [b.id.replace(/^\D+/, ""), parseInt(b.textContent.replace(/\D+/g, ""), 10) || 0]));
  let mentions = counts(".mentions");
  let unread = counts(".unread");
  const ask = (room) =>
    fetch(`/rooms/${room}/notice`, { cache: "no-store" })
      .then((r) => (r.status === 200 ? r.json() : null))
      .then((n) => n && notify(room, n.id, n.author, n.text, n.mention))
      .catch(() => {});
  const sidebar = document.getElementById("sidebar");
  new MutationObserver(() => {
    const m = counts(".mentions");
    const u = counts(".unread");
    for (const [room, n] of u) {
      if (room === current) continue;
      if ((m.get(room) ?? 0) > (mentions.get(room) ?? 0) || (direct(room) && n > (unread.get(room) ?? 0))) ask(room);
    }
    mentions = m;
    unread = u;
  }).observe(sidebar, { childList: true, subtree: true, characterData: true });
})();

// ---- Search (issue 9, item 7) -------------------------------------------
// A result's time in the reader's own zone and format, with its date, as
// results span days. The server's rendering (in TZ) is the fallback.
(() => {
  const lang = document.documentElement.lang || undefined;
  const fmt = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  for (const t of document.querySelectorAll(".hits time[datetime]")) {
    const d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) t.textContent = fmt.format(d);
  }
})();
