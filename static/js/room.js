/* The incident room's live timeline: ask for new entries every few seconds while the tab is
   visible (never while hidden), and at once after adding an entry. htmx does the request; this
   file only decides when, so no inline script or eval is needed (CSP-friendly). */
(function () {
  "use strict";
  var POLL_MS = 2000; // as README "Scaling out" and bench/load count it

  function poll() {
    if (document.visibilityState !== "visible" || !window.htmx) return;
    var poller = document.getElementById("timeline-poll");
    if (poller) window.htmx.trigger(poller, "poll");
  }

  setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", poll);
  document.body.addEventListener("timeline-changed", poll);
})();
