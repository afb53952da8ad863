/* One event stream per browser, shared by its tabs (a SharedWorker; see live.js).

   Browsers open at most 6 connections to a host over HTTP/1.1, and every open tab would hold a
   stream: a seventh tab would freeze. Here each stream (by its path) is opened once, and every
   tab that asks for it gets its events. A tab that joins late is given what it may have missed
   since its page was rendered: the entries after its cursor and the latest version of each part.
   The browser's EventSource reconnects by itself, sending Last-Event-ID. */
"use strict";

var streams = {}; // path -> {source, ports, entries: [], parts: {}, hello: bool, failed: bool}
var KEEP_ENTRIES = 200;

function post(port, message) {
  try { port.postMessage(message); } catch (e) { /* the tab is gone */ }
}

function broadcast(stream, message) {
  stream.ports.forEach(function (port) { post(port, message); });
}

function open(path, url) {
  var stream = { ports: new Set(), entries: [], parts: {}, hello: false, failed: false };
  var source = new EventSource(url);
  stream.source = source;
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED) {
      stream.failed = true;
      broadcast(stream, { type: "failed" });
    }
  };
  source.onmessage = function () {};
  ["hello", "entry", "head", "statements", "tasks", "roles", "mentions", "presence",
   "bell", "approvals", "alerts", "revoked", "reload"].forEach(function (name) {
    source.addEventListener(name, function (event) {
      var message = { type: "event", event: name, id: event.lastEventId, data: JSON.parse(event.data || "{}") };
      if (name === "hello") stream.hello = true;
      if (name === "entry") {
        stream.entries.push(message);
        if (stream.entries.length > KEEP_ENTRIES) stream.entries.shift();
      } else if (name !== "hello" && name !== "revoked" && name !== "reload") {
        stream.parts[name] = message;
      }
      broadcast(stream, message);
      if (name === "revoked") close(path);
    });
  });
  streams[path] = stream;
  return stream;
}

function close(path) {
  var stream = streams[path];
  if (!stream) return;
  stream.source.close();
  delete streams[path];
}

function join(port, path, url, after) {
  var stream = streams[path];
  if (stream && stream.failed) { close(path); stream = null; }
  if (!stream) stream = open(path, url);
  stream.ports.add(port);
  if (stream.hello) post(port, { type: "event", event: "hello", data: {} });
  stream.entries.forEach(function (message) {
    if (Number(message.data.id) > after) post(port, message);
  });
  Object.keys(stream.parts).forEach(function (name) { post(port, stream.parts[name]); });
}

function leave(port, path) {
  var stream = streams[path];
  if (!stream) return;
  stream.ports.delete(port);
  if (stream.ports.size === 0) close(path);
}

self.onconnect = function (connection) {
  var port = connection.ports[0];
  var joined = null;
  port.onmessage = function (message) {
    var data = message.data || {};
    if (data.type === "join") {
      joined = data.path;
      join(port, data.path, data.url, Number(data.after) || 0);
    } else if (data.type === "leave" && joined) {
      leave(port, joined);
      joined = null;
    }
  };
  port.start();
};
