"""crisisdesk.outbound, the one way out: http(s) only, never to a loopback, private or reserved
address unless its host is allowed, connected to the address that was checked, redirects checked.

The tests allow 127.0.0.1 (conftest.py), where their local servers listen; the refused addresses
are that same server under other names: localhost (from /etc/hosts), [::ffff:127.0.0.1], 0.0.0.0,
2130706433, each of which reaches it when nothing checks."""

import ipaddress
import os
import ssl
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from crisisdesk import outbound
from crisisdesk.testing import Answer, LocalServer

TIMEOUT = (2, 2)


def port_of(server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def same_server_elsewhere(server) -> list[str]:
    """`server`'s address under names that are not allowed, though each leads to it."""
    port = port_of(server)
    hosts = ("localhost", "[::ffff:127.0.0.1]", "0.0.0.0", "2130706433")
    return [f"http://{host}:{port}/" for host in hosts]


class TestTheAddresses:
    @pytest.mark.parametrize(
        "address",
        [
            "127.0.0.1",
            "127.0.0.2",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",  # a cloud's metadata service
            "100.64.0.1",  # shared address space (carrier-grade NAT)
            "0.0.0.0",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::1",  # 6to4 of 127.0.0.1
            "::7f00:1",
        ],
    )
    def test_it_refuses_local_private_and_reserved_addresses(self, address):
        assert outbound.address_refused(ipaddress.ip_address(address))

    @pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "::ffff:93.184.215.14"])
    def test_it_accepts_public_addresses(self, address):
        assert not outbound.address_refused(ipaddress.ip_address(address))

    def test_a_host_is_refused_when_it_resolves_to_a_refused_address(self):
        with pytest.raises(outbound.Refused, match="localhost"):
            outbound.checked_address("localhost", 80)  # from /etc/hosts: 127.0.0.1

    def test_an_allowed_host_is_allowed_by_its_own_name_only(self, settings):
        settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
        assert outbound.checked_address("127.0.0.1", 80) == "127.0.0.1"
        with pytest.raises(outbound.Refused):
            outbound.checked_address("localhost", 80)
        settings.OUTBOUND_ALLOWED_HOSTS = ["LocalHost "]
        assert outbound.checked_address("localhost", 80) == "127.0.0.1"

    @pytest.mark.parametrize(
        ("environment", "hosts"),
        [({}, []), ({"OUTBOUND_ALLOWED_HOSTS": "feeds.lan,hooks.lan"}, ["feeds.lan", "hooks.lan"])],
    )
    def test_the_setting_comes_from_the_environment_and_allows_nothing_by_default(self, environment, hosts):
        env = {name: value for name, value in os.environ.items() if name != "OUTBOUND_ALLOWED_HOSTS"}
        shown = subprocess.run(
            [sys.executable, "-c", "import crisisdesk.settings as s; print(s.OUTBOUND_ALLOWED_HOSTS)"],
            env={**env, "DEBUG": "1", **environment},
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        assert shown.stdout.strip() == repr(hosts)


class TestRequests:
    def test_it_reaches_an_allowed_host(self, local_server):
        server = local_server(lambda request: Answer(200, {"ok": True}))
        assert outbound.request("GET", server.url + "/feed", timeout=TIMEOUT).json() == {"ok": True}
        assert server.received[0].headers["User-Agent"] == "crisisdesk/1.0"

    def test_no_name_or_form_of_a_refused_address_reaches_the_server(self, local_server):
        server = local_server(lambda request: Answer(200, "internal"))
        for url in same_server_elsewhere(server):
            with pytest.raises(outbound.Refused):
                outbound.request("GET", url, timeout=TIMEOUT)
        assert server.received == []

    @pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed", "file:///etc/passwd", "gopher://127.0.0.1:70/"])
    def test_only_http_and_https_are_sent(self, url):
        with pytest.raises(outbound.Refused, match="http"):
            outbound.request("GET", url, timeout=TIMEOUT)

    def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(self, settings, local_server):
        settings.OUTBOUND_ALLOWED_HOSTS = ["localhost"]
        server = local_server(lambda request: Answer(200, "fine"))
        with outbound.session() as session:
            assert session.get(f"http://localhost:{port_of(server)}/x", timeout=TIMEOUT).text == "fine"
            pools = list(session.get_adapter("http://localhost/").poolmanager.pools.keys())
        assert [(pool.key_host, pool.key_port) for pool in pools] == [("127.0.0.1", port_of(server))]
        assert server.received[0].headers["Host"] == f"localhost:{port_of(server)}"

    def test_an_unresolvable_host_is_unreachable_for_now(self):
        with pytest.raises(outbound.Unresolved, match=r"nowhere\.invalid"):
            outbound.request("GET", "http://nowhere.invalid/feed", timeout=TIMEOUT)


class TestRedirects:
    def test_a_redirect_to_a_refused_address_is_not_followed(self, local_server):
        def answer(request):
            if request.path == "/start":
                return Answer(302, "", {"Location": f"http://localhost:{port_of(server)}/inner"})
            return Answer(200, "internal")

        server = local_server(answer)
        with pytest.raises(outbound.Refused, match="localhost"):
            outbound.request("GET", server.url + "/start", timeout=TIMEOUT)
        assert [request.path for request in server.received] == ["/start"]

    def test_a_redirect_to_another_scheme_is_not_followed(self, local_server):
        server = local_server(lambda request: Answer(302, "", {"Location": "file:///etc/passwd"}))
        with pytest.raises(outbound.Refused, match="not followed"):
            outbound.request("GET", server.url + "/start", timeout=TIMEOUT)

    def test_redirects_between_allowed_addresses_are_followed_a_few_times(self, local_server):
        def answer(request):
            step = int(request.path.strip("/") or 0)
            return Answer(200, "here") if step == 3 else Answer(302, "", {"Location": f"/{step + 1}"})

        server = local_server(answer)
        assert outbound.request("GET", server.url + "/0", timeout=TIMEOUT).text == "here"
        looping = local_server(lambda request: Answer(302, "", {"Location": "/again"}))
        with pytest.raises(outbound.Refused, match="too many"):
            outbound.request("GET", looping.url + "/again", timeout=TIMEOUT)
        assert len(looping.received) == outbound.MAX_REDIRECTS + 1


class TestErrors:
    def test_an_error_answer_is_kept_as_its_status_and_our_words(self, local_server):
        server = local_server(lambda request: Answer(403, "db password: hunter2"))
        response = outbound.request("GET", server.url + "/x", timeout=TIMEOUT)
        assert outbound.status_error(response) == "127.0.0.1 answered 403 (Forbidden)."

    def test_no_connection_is_unreachable_naming_the_host(self, local_server):
        server = local_server(lambda request: Answer(200))
        url = server.url
        server.stop()
        with pytest.raises(outbound.Unreachable, match=r"Could not connect to 127\.0\.0\.1\."):
            outbound.request("GET", url, timeout=TIMEOUT)


class TestHttps:
    """With TLS, the connection goes to the checked address and the certificate is checked for the name."""

    @pytest.fixture
    def tls_server(self, tmp_path):
        key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
        subprocess.run(
            [
                *("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
                *("-addext", "subjectAltName=DNS:localhost"),
            ],
            check=True,
            capture_output=True,
        )
        plain = LocalServer(lambda request: Answer(200, {"host": request.headers["Host"]}))
        server: ThreadingHTTPServer = plain._server
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield port_of(plain), cert
        plain.stop()

    def test_the_certificate_is_checked_for_the_name_not_the_address(self, settings, tls_server):
        port, cert = tls_server
        settings.OUTBOUND_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
        answer = outbound.request("GET", f"https://localhost:{port}/", timeout=TIMEOUT, verify=str(cert))
        assert answer.json() == {"host": f"localhost:{port}"}
        with pytest.raises(outbound.Unreachable):  # the same server, but the certificate is not for this name
            outbound.request("GET", f"https://127.0.0.1:{port}/", timeout=TIMEOUT, verify=str(cert))


class TestValidation:
    @pytest.mark.parametrize(
        "url",
        [
            "http://localhost/feed",
            "http://127.0.0.2/",
            "http://[::1]/",
            "http://10.0.0.1/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://0.0.0.0:8000/",
            "http://[::ffff:127.0.0.1]/",
            "ftp://files.example/feed.xml",
            "file:///etc/passwd",
            "gopher://files.example/",
        ],
    )
    def test_it_refuses_what_no_request_would_be_sent_to(self, url):
        with pytest.raises(ValidationError):
            outbound.validate_url(url)

    @pytest.mark.parametrize("url", ["https://nowhere.invalid/feed", "https://93.184.215.14/hook"])
    def test_a_public_or_not_yet_resolving_host_is_accepted(self, url):
        outbound.validate_url(url)  # nowhere.invalid is checked again at every request
