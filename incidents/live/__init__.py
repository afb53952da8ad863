"""The live room: every change pushed to the people who have the room (or any page) open.

- `changes`: what writes call, in their transaction: bump the incident's change counter and, on
  commit, wake the web processes up.
- `bus`: the wake-ups between processes (Redis pub/sub with LIVE_EVENTS_URL, else none: each
  process then checks the database once a second).
- `hub`: one per web process; holds the open streams, checks what changed in one query for all
  open rooms, renders each changed part once per kind of viewer and hands it to the streams.
- `render`: the parts of the room as HTML for one kind of viewer (language, time zone, rights).
- `views`: the event stream (ASGI only) and the polling fallback.
"""
