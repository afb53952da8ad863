/* A person's own pages, live: what live.js hands over from the feeds of every page's stream.

   - `live:bell` ({unread}): the count on the bell in the top bar.
   - `live:approvals` ({count, newest}) and `live:alerts` ({count, newest, rule}): every region
     marked `data-live-refresh="<feed> ..."` (the dashboard's "Waiting for your approval" and
     "New alerts", the monitoring page's alerts) is read again from its `data-live-url` (a small
     answer: that region only) and put in place.
   - When one of them brings something new while the tab is hidden, a browser notification, if
     the person allowed them (the button on the notifications page asks).
   The words come from the data attributes of this script's tag (partials/live_pages.html), in the
   person's language. No inline script, no eval (CSP). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var words = script.dataset;
  var JITTER_MS = 300; // a whole organization told of an alert at once does not ask at once
  var seen = {}; // feed -> the highest value this tab has seen (see `value`)

  // --- the bell -----------------------------------------------------------------------------

  function bellCount() {
    var count = document.querySelector("a.bell .bell-count");
    return count ? Number(count.textContent) || 0 : 0;
  }

  function setBell(unread) {
    var bell = document.querySelector("a.bell");
    if (!bell) return;
    var count = bell.querySelector(".bell-count");
    if (unread > 0) {
      if (!count) {
        bell.appendChild(document.createTextNode(" "));
        count = document.createElement("span");
        count.className = "bell-count";
        bell.appendChild(count);
      }
      count.textContent = String(unread);
      bell.classList.add("bell-unread");
    } else {
      if (count) {
        var space = count.previousSibling;
        if (space && space.nodeType === Node.TEXT_NODE && !space.textContent.trim()) space.remove();
        count.remove();
      }
      bell.classList.remove("bell-unread");
    }
  }

  // --- regions read again ---------------------------------------------------------------------

  var busy = {}; // region id -> "asking" | "again"

  function refresh(feed) {
    document.querySelectorAll("[data-live-refresh][data-live-url][id]").forEach(function (region) {
      if (region.dataset.liveRefresh.split(" ").indexOf(feed) === -1) return;
      var id = region.id;
      if (busy[id]) { busy[id] = "again"; return; } // what is on its way may be older than this
      busy[id] = "asking";
      setTimeout(function () { ask(region.id, region.dataset.liveUrl); }, Math.random() * JITTER_MS);
    });
  }

  function ask(id, url) {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (answer) { return answer.ok && !answer.redirected ? answer.text() : null; })
      .then(function (html) { if (html !== null) put(id, html); })
      .catch(function () { /* offline for a moment: the next change asks again */ })
      .then(function () {
        var again = busy[id] === "again";
        delete busy[id];
        if (again) {
          busy[id] = "asking";
          ask(id, url);
        }
      });
  }

  function put(id, html) {
    var region = document.getElementById(id);
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
    if (!region || !fresh) return;
    var body = region.querySelector("[data-live-body]");
    var freshBody = fresh.querySelector("[data-live-body]");
    if (body && freshBody) {
      body.innerHTML = freshBody.innerHTML; // the live region stays, so screen readers hear it
    } else {
      region.innerHTML = fresh.innerHTML;
    }
    if (window.htmx) window.htmx.process(region);
  }

  // --- browser notifications ------------------------------------------------------------------

  function storageKey(feed) { return "crisisdesk-live:" + (words.user || "") + ":" + feed; }

  function stored(feed) {
    try { return Number(window.localStorage.getItem(storageKey(feed))) || 0; } catch (e) { return 0; }
  }

  function store(feed, value) {
    try { window.localStorage.setItem(storageKey(feed), String(value)); } catch (e) { /* private mode */ }
  }

  /* Whether `value` is news: higher than what this tab saw. Approvals and alerts send a value
     that only grows with something new (the latest submission waiting for me, the newest
     alert's id), so a decision or a dismissed alert is not announced, and what another tab of
     this browser saw already (kept in localStorage) is not announced again when the shared
     stream hands it to a tab opened later. The bell counts unread notifications: news when
     the count rises above the one on the page. */
  function isNews(feed, value, before) {
    var known = Math.max(before, seen[feed] || 0, feed === "bell" ? 0 : stored(feed));
    seen[feed] = value;
    if (feed !== "bell" && value > stored(feed)) store(feed, value);
    return value > known;
  }

  function notify(feed, body, value) {
    if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return;
    var title = words["title" + feed.charAt(0).toUpperCase() + feed.slice(1)];
    if (!title) return;
    try {
      // One tag per piece of news: every hidden tab of the browser shows the same one, once.
      var shown = new Notification(title, {
        body: body || "",
        tag: "crisisdesk-" + feed + "-" + value,
        lang: document.documentElement.lang || "",
      });
      var url = words["url" + feed.charAt(0).toUpperCase() + feed.slice(1)];
      shown.onclick = function () {
        window.focus();
        if (url && window.location.pathname !== url) window.location.href = url;
        shown.close();
      };
    } catch (e) { /* a browser that only notifies from a service worker */ }
  }

  document.addEventListener("live:bell", function (event) {
    var unread = Number(event.detail.unread) || 0;
    var before = bellCount();
    setBell(unread);
    if (isNews("bell", unread, before)) notify("bell", "", unread);
  });

  document.addEventListener("live:approvals", function (event) {
    var newest = Number(event.detail.newest) || 0;
    refresh("approvals");
    if (isNews("approvals", newest, 0) && event.detail.count > 0) notify("approvals", "", newest);
  });

  document.addEventListener("live:alerts", function (event) {
    var newest = Number(event.detail.newest) || 0;
    refresh("alerts");
    if (isNews("alerts", newest, 0)) notify("alerts", event.detail.rule || "", newest);
  });

  // --- "Desktop notifications: turn on" (the notifications page) --------------------------------

  var switcher = document.querySelector("[data-desktop-notifications]");
  if (switcher && "Notification" in window) {
    var show = function () {
      switcher.querySelectorAll("[data-when]").forEach(function (element) {
        element.hidden = element.dataset.when !== Notification.permission;
      });
    };
    switcher.hidden = false;
    show();
    var button = switcher.querySelector("button");
    if (button) {
      button.addEventListener("click", function () {
        var asked = Notification.requestPermission(show);
        if (asked && asked.then) asked.then(show);
      });
    }
  }
})();
