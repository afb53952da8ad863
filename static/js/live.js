/* The live connection of every page: one event stream per browser (live-worker.js, shared by the
   tabs), else one per tab, else — when no stream can be opened (an old proxy, a server without
   ASGI) — a poll every 2 s while the tab is visible, answered 304 when nothing changed.

   Each event is handed to the page as a DOM event: `live:entry`, `live:statements`, `live:bell`,
   ... with the event's data as `detail`. room.js and the pages decide what to do with them.
   No inline script, no eval (CSP). */
(function () {
  "use strict";
  var POLL_MS = 2000; // as README "Scaling out" and bench/load count it
  var HELLO_MS = 8000; // a stream that says nothing this long is held by a proxy: poll instead

  var room = document.getElementById("room");
  var body = document.body;
  var path = room ? room.dataset.liveEvents : body.dataset.liveEvents;
  if (!path) return;
  var pollPath = room ? room.dataset.livePoll : null;
  var after = room ? Number(room.dataset.liveAfter) || 0 : 0;
  var version = room ? room.dataset.liveVersion : "";
  var url = path + (room ? "?after=" + after + "&v=" + version : "");
  var live = { connected: false, polling: false };
  window.crisisdeskLive = live;

  function hand(event, data) {
    if (event === "hello") { live.connected = true; body.dataset.live = "stream"; return; }
    if (event === "entry" && data.id > after) after = data.id;
    if (event === "revoked") { clearInterval(pollTimer); stop(); }
    document.dispatchEvent(new CustomEvent("live:" + event, { detail: data || {} }));
  }

  // --- a shared stream, or one of our own ---------------------------------------------------

  var stop = function () {};
  var helloTimer = setTimeout(startPolling, HELLO_MS);

  function onMessage(message) {
    if (message.type === "failed") return startPolling();
    if (message.type !== "event") return;
    if (message.event === "hello") clearTimeout(helloTimer);
    hand(message.event, message.data);
  }

  function shared() {
    var worker = new SharedWorker(body.dataset.liveWorker, { name: "crisisdesk-live" });
    worker.port.onmessage = function (message) { onMessage(message.data); };
    worker.port.start();
    worker.port.postMessage({ type: "join", path: path, url: url, after: after });
    window.addEventListener("pagehide", function () { worker.port.postMessage({ type: "leave" }); });
    stop = function () { worker.port.postMessage({ type: "leave" }); };
  }

  var NAMES = ["hello", "entry", "head", "statements", "tasks", "roles", "mentions", "presence",
               "bell", "approvals", "alerts", "revoked", "reload"];

  function own() {
    var source = new EventSource(url);
    source.onerror = function () { if (source.readyState === EventSource.CLOSED) startPolling(); };
    NAMES.forEach(function (name) {
      source.addEventListener(name, function (event) {
        onMessage({ type: "event", event: name, data: JSON.parse(event.data || "{}") });
        if (name === "revoked") source.close();
      });
    });
    stop = function () { source.close(); };
  }

  // --- the fallback ---------------------------------------------------------------------------

  var etag = null;
  var pollTimer = null;

  function startPolling() {
    clearTimeout(helloTimer);
    if (live.polling || live.connected) return;
    stop();
    live.polling = true;
    body.dataset.live = "poll";
    if (!pollPath) return; // other pages: the bell waits for the next page
    pollTimer = setInterval(poll, POLL_MS);
    document.addEventListener("visibilitychange", poll);
    document.body.addEventListener("timeline-changed", poll);
    poll();
  }

  function poll() {
    if (document.visibilityState !== "visible" || body.dataset.live === "revoked") return;
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(pollPath + "?after=" + after + "&v=" + version, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (answer) {
        if (answer.status === 404) { hand("revoked", {}); return null; }
        if (answer.status !== 200) return null;
        etag = answer.headers.get("ETag");
        return answer.json();
      })
      .then(function (news) {
        if (!news) return;
        version = news.version;
        news.events.forEach(function (item) { hand(item.event, item.data); });
      })
      .catch(function () { /* offline for a moment: the next poll asks again */ });
  }

  if (window.SharedWorker && body.dataset.liveWorker) {
    try { shared(); } catch (e) { own(); }
  } else if (window.EventSource) {
    own();
  } else {
    startPolling();
  }
})();
