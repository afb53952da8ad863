"""make prod's one origin: nginx (crisisdesk/nginx.conf, as crisisdesk/proxy.py writes it) in front
of a server for pages and API and the real app under uvicorn for the event streams."""

import os
import socket
import subprocess
import sys
import urllib.request

import pytest
from django.test import Client

from conftest import NGINX, make_user
from crisisdesk import proxy
from crisisdesk.testing import Answer, free_port, wait_for

pytestmark = [pytest.mark.nginx, pytest.mark.timeout(60)]


@pytest.fixture
def pages(local_server):
    return local_server(lambda request: Answer(200, "a page"))


@pytest.fixture
def front(tmp_path, pages, live_server):
    """nginx on a port of its own: pages to `pages`, streams to the live server (uvicorn)."""
    listen = f"127.0.0.1:{free_port()}"
    proxy.write(
        tmp_path,
        listen=listen,
        pages=pages.url.removeprefix("http://"),
        streams=f"{live_server.host}:{live_server.port}",
    )
    nginx = subprocess.Popen(
        [NGINX, "-p", f"{tmp_path}/", "-c", "nginx.conf", "-e", "stderr", "-g", "daemon off;"]
    )
    wait_for(lambda: nginx.poll() is not None or _listening(listen), timeout=10, what="nginx to listen")
    assert nginx.poll() is None, "nginx ended"
    yield f"http://{listen}"
    nginx.terminate()
    nginx.wait(timeout=10)


def _listening(address: str) -> bool:
    try:
        socket.create_connection(address.split(":"), timeout=1).close()
        return True
    except OSError:
        return False


def test_pages_and_api_go_to_the_pages_server_with_the_clients_address(front, pages):
    for path in ("/incidents/7/", "/api/v1/incidents/", "/healthz"):
        request = urllib.request.Request(front + path, headers={"X-Forwarded-For": "203.0.113.9"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.read() == b"a page"
    assert [received.path for received in pages.received] == [
        "/incidents/7/",
        "/api/v1/incidents/",
        "/healthz",
    ]
    for received in pages.received:
        # The client's own X-Forwarded-For is replaced: the app may trust the header.
        assert received.headers["X-Forwarded-For"] == "127.0.0.1"
        assert received.headers["Host"] == front.removeprefix("http://")


def test_an_event_stream_goes_to_uvicorn_and_each_event_passes_at_once(front, pages, org):
    person = make_user("reader", organization=org)
    client = Client()
    client.force_login(person)
    request = urllib.request.Request(
        f"{front}/events/", headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.headers["Content-Type"].startswith("text/event-stream")
        first = answer.fp.read1(4096)  # the stream stays open: nginx must not wait for its end
    assert b"event: hello" in first
    assert pages.received == []


READ_ADDRESS = """
import django
django.setup()
from django.test import RequestFactory
from accounts.security_log import client_address
print(client_address(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")))
"""


@pytest.mark.parametrize(("behind_proxy", "address"), [("1", "203.0.113.9"), ("0", "127.0.0.1")])
def test_the_client_address_comes_from_the_proxy_only_behind_one(behind_proxy, address):
    """Sign-in lockout and the security log key on it: behind nginx every request comes from
    127.0.0.1, and without a proxy the header is the client's own word."""
    environment = {
        **os.environ,
        "BEHIND_PROXY": behind_proxy,
        "DJANGO_SETTINGS_MODULE": "crisisdesk.settings",
    }
    answer = subprocess.run(
        [sys.executable, "-c", READ_ADDRESS], env=environment, capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip().splitlines()[-1] == address
