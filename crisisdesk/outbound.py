"""Every request the server makes (feeds, Mastodon, webhooks, the chat) goes through `request`.

http and https only. The host is resolved once and refused when any of its addresses is loopback,
private, link-local, multicast, reserved or unspecified, unless settings.OUTBOUND_ALLOWED_HOSTS
lists it; the connection goes to the address that was checked, so a second DNS answer cannot
send it elsewhere, and each redirect is checked the same way. requests-hardened's IPFilterAdapter
pins the address like this, but checks only the first address and allows loopback for every host
or for none, so the adapter here is our own.
"""

import ipaddress
import socket
from http import HTTPStatus
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.util.connection import allowed_gai_family

SCHEMES = {"http": 80, "https": 443}
MAX_REDIRECTS = 3
USER_AGENT = "crisisdesk/1.0"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundError(Exception):
    """No answer to keep. The message is ours (the host and what went wrong), never the remote's."""


class Refused(OutboundError):
    """Not sent or not followed, and trying again will not help: not http(s), an address we send
    nothing to, or too many redirects."""


class Unreachable(OutboundError):
    """No answer this time (no connection, a timeout, a broken answer): a later try may work."""


class Unresolved(Unreachable):
    """The host has no address right now; it is checked again at the next request."""


def address_refused(address: Address) -> bool:
    """An address of this machine or of a private network, or one with no business being a
    server's: IPv4-mapped and 6to4 IPv6 addresses are judged by the IPv4 address they carry."""
    if address.version == 6:
        address = address.ipv4_mapped or address.sixtofour or address
    return (
        not address.is_global  # loopback, private, link-local, unspecified, shared (100.64/10)
        or address.is_multicast
        or address.is_reserved
        or getattr(address, "is_site_local", False)
    )


def host_allowed(host: str) -> bool:
    return host.lower() in {name.strip().strip("[]").lower() for name in settings.OUTBOUND_ALLOWED_HOSTS}


def checked_address(host: str, port: int) -> str:
    """The address to connect to `host` on: its first one, once all of them passed (one lookup)."""
    try:
        found = socket.getaddrinfo(host, port, family=allowed_gai_family(), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:  # ValueError: a NUL in the name
        raise Unresolved(_("Could not resolve %(host)s.") % {"host": host}) from error
    addresses = [ipaddress.ip_address(info[4][0]) for info in found]
    if not host_allowed(host) and any(address_refused(address) for address in addresses):
        raise Refused(
            _("%(host)s is a local, private or reserved address: nothing is sent there.") % {"host": host}
        )
    return str(addresses[0])


def check_url(url: str) -> tuple[str, int]:
    """The host and port of `url`, or Refused when it is not an http(s) address with a host."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise Refused(_("This is not a valid address.")) from error
    if parts.scheme not in SCHEMES:
        raise Refused(_("Only http:// and https:// addresses can be used."))
    if not host:
        raise Refused(_("The address has no host."))
    return host, port or SCHEMES[parts.scheme]


def validate_url(url: str) -> None:
    """For a model's clean(): refuse what every request would refuse. A host that does not resolve
    right now is accepted; every request checks it again."""
    try:
        checked_address(*check_url(url))
    except Refused as error:
        raise ValidationError(str(error), code="outbound") from error
    except Unresolved:
        pass


class CheckedAdapter(HTTPAdapter):
    """Connects to the checked address of each request's host; every redirect hop is a request."""

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host, port, scheme = host_params["host"], host_params["port"], host_params["scheme"]
        address = checked_address(host, port or SCHEMES[scheme])
        # The server, its certificate and SNI know the name, not the address we connect to.
        request.headers["Host"] = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
        if scheme == "https":
            pool_kwargs["assert_hostname"] = pool_kwargs["server_hostname"] = host
        host_params["host"] = address
        return host_params, pool_kwargs


def session() -> requests.Session:
    checked = requests.Session()
    checked.trust_env = False  # no proxy from the environment: the connection is the one we checked
    checked.max_redirects = MAX_REDIRECTS
    checked.headers["User-Agent"] = USER_AGENT
    for prefix in ("http://", "https://"):
        checked.mount(prefix, CheckedAdapter())
    return checked


def request(method: str, url: str, *, timeout: tuple[float, float], **kwargs) -> requests.Response:
    """Send one request through the checks and answer whatever status came back; raises Refused
    or Unreachable instead of any exception of requests."""
    named = {"host": check_url(url)[0]}
    with session() as checked:
        try:
            return checked.request(method, url, timeout=timeout, **kwargs)
        except requests.TooManyRedirects as error:
            raise Refused(_("%(host)s redirected too many times.") % named) from error
        except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL) as error:
            raise Refused(_("%(host)s redirected to an address that is not followed.") % named) from error
        except requests.Timeout as error:
            raise Unreachable(_("No answer in time from %(host)s.") % named) from error
        except requests.ConnectionError as error:
            raise Unreachable(_("Could not connect to %(host)s.") % named) from error
        except requests.RequestException as error:
            raise Unreachable(_("%(host)s sent a broken answer.") % named) from error


def status_error(response: requests.Response) -> str:
    """What to keep of an error answer: its status and our short name for it, never its body."""
    host = urlsplit(response.url).hostname or ""
    try:
        reason = HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = _("unknown status")
    return _("%(host)s answered %(status)d (%(reason)s).") % {
        "host": host,
        "status": response.status_code,
        "reason": reason,
    }
