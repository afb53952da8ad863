"""Reading the live room's event stream over a real socket, as a browser's EventSource does."""

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.test import Client


@dataclass
class Event:
    at: float  # time.monotonic() when it arrived
    name: str
    id: str
    data: dict


def session_cookie(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


class EventStream:
    """`GET url` as `user`, read in a thread; events as they come, and whether the stream ended."""

    def __init__(self, url: str, user, *, last_event_id: str | None = None):
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.response = requests.get(
            url, cookies=session_cookie(user), headers=headers, stream=True, timeout=30
        )
        self.events: list[Event] = []
        self.comments = 0
        self.ended = threading.Event()
        self._lock = threading.Lock()
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.ended.set()

    @property
    def status(self) -> int:
        return self.response.status_code

    def _read(self) -> None:
        name, event_id, data = "message", "", []
        try:
            for raw in self.response.iter_lines(decode_unicode=True):
                if raw == "":
                    if data:
                        event = Event(time.monotonic(), name, event_id, json.loads("\n".join(data)))
                        with self._lock:
                            self.events.append(event)
                    name, data = "message", []
                elif raw.startswith(":"):
                    self.comments += 1
                else:
                    field, _, value = raw.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        name = value
                    elif field == "data":
                        data.append(value)
                    elif field == "id":
                        event_id = value
        except (requests.RequestException, AttributeError):
            pass  # closed by us
        finally:
            self.ended.set()

    def named(self, name: str) -> list[Event]:
        with self._lock:
            return [event for event in self.events if event.name == name]

    def wait_for(self, condition, *, timeout: float = 5, what: str = "an event") -> Event:
        """The first event for which `condition(event)` holds, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = next((event for event in self.events if condition(event)), None)
            if found is not None:
                return found
            if self.ended.is_set():
                break
            time.sleep(0.02)
        names = [event.name for event in self.events]
        raise AssertionError(f"no {what} within {timeout} s (ended: {self.ended.is_set()}; got {names})")

    def close(self) -> None:
        """Hang up as a browser does: the server sees the connection end at once."""
        connection = getattr(self.response.raw, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.response.close()
        self.ended.wait(5)
