/* The incident room, live: what live.js hands over is put in its place.

   - `live:entry`: a timeline entry, put on top (once: the same entry may come twice).
   - `live:head`, `live:statements`, `live:tasks`, `live:roles`, `live:mentions`, `live:presence`:
     the part's new HTML. A part the reader is typing in waits until they leave it; an open
     "Edit" stays open.
   - Parts are pushed for everyone with the same rights, so they hold no CSRF token (the page's
     own is added to a form when it is sent) and controls that depend on who looks carry
     `data-hide-for="<ids>"`: removed here for those people (the author never sees Approve).
   No inline script, no eval (CSP). */
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room) return;
  var viewer = room.dataset.viewer;
  var waiting = {}; // part -> HTML held back while the reader types in it

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function prune(root) {
    root.querySelectorAll("[data-hide-for]").forEach(function (element) {
      if (element.dataset.hideFor.split(" ").indexOf(viewer) !== -1) element.remove();
    });
  }

  function openDetails(container) {
    var open = [];
    container.querySelectorAll("details[open]").forEach(function (details) {
      var holder = details.closest("[id]");
      open.push((holder ? holder.id : "") + "|" + details.className);
    });
    return open;
  }

  function reopen(container, open) {
    container.querySelectorAll("details").forEach(function (details) {
      var holder = details.closest("[id]");
      if (open.indexOf((holder ? holder.id : "") + "|" + details.className) !== -1) details.open = true;
    });
  }

  function typingIn(container) {
    var active = document.activeElement;
    return active && container.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  function swap(part, html) {
    var container = document.getElementById("live-" + part);
    if (!container) return;
    if (typingIn(container)) { waiting[part] = html; return; }
    delete waiting[part];
    var open = openDetails(container);
    container.innerHTML = html;
    prune(container);
    reopen(container, open);
    if (window.htmx) window.htmx.process(container);
  }

  ["head", "statements", "tasks", "roles", "mentions", "presence"].forEach(function (part) {
    document.addEventListener("live:" + part, function (event) { swap(part, event.detail.html || ""); });
  });

  document.addEventListener("focusout", function () {
    setTimeout(function () {
      Object.keys(waiting).forEach(function (part) { swap(part, waiting[part]); });
    }, 0);
  });

  document.addEventListener("live:entry", function (event) {
    var list = document.getElementById("timeline-list");
    if (!list || document.getElementById("entry-" + event.detail.id)) return;
    var holder = document.createElement("template");
    holder.innerHTML = event.detail.html.trim();
    var entry = holder.content.firstElementChild;
    if (!entry) return;
    list.insertBefore(entry, list.firstElementChild);
    if (window.htmx) window.htmx.process(entry);
  });

  document.addEventListener("live:revoked", function () {
    document.body.dataset.live = "revoked";
    var notice = document.getElementById("live-revoked");
    if (notice) notice.hidden = false;
  });

  document.addEventListener("live:reload", function () { window.location.reload(); });

  // A pushed form has no CSRF token of its own: give it the page's when it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method.toLowerCase() !== "post" || form.querySelector("[name=csrfmiddlewaretoken]")) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrfmiddlewaretoken";
    input.value = csrfToken();
    form.appendChild(input);
  }, true);

  prune(room);
})();
