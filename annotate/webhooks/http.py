"""POST a webhook delivery, refusing targets inside private networks.

Webhook URLs come from researchers, and the worker sends from inside the lab's network:
without care, a URL could make it call an internal service (server-side request forgery).
So a target must be ``http`` or ``https``, and every address its host name resolves to must
be a public one: private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback (127/8, ::1),
link-local (169.254/16, fe80::/10, cloud metadata services), shared (100.64/10), multicast,
reserved or unspecified addresses are refused, IPv4-mapped IPv6 addresses included, unless
an administrator allowed their network (``ANNOTATE_WEBHOOKS_ALLOW_NETWORKS``). The
connection goes to the address that was checked (not a second look-up, which DNS
rebinding could answer differently), and every redirect hop (at most ``MAX_REDIRECTS``) is checked again.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 10.0
# Read at most this much of an answer (it is only logged, in part).
MAX_RESPONSE_BYTES = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class TargetRefused(ValueError):
    """The URL may not be called: the message says why, in the researcher's words."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    url: str  # after redirects


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL with a host; TargetRefused otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"url: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("url: must start with http:// or https://")
    if not parts.hostname:
        raise TargetRefused("url: has no host name")
    if parts.username or parts.password:
        raise TargetRefused("url: must not carry a user name or password")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``address`` is not a public one, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _refusal(address.ipv4_mapped)
    for test, what in (
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_private", "a private"),
        ("is_multicast", "a multicast"),
        ("is_unspecified", "an unspecified"),
        ("is_reserved", "a reserved"),
    ):
        if getattr(address, test):
            return what
    if not address.is_global:
        return "a non-public"
    return None


def resolve(host: str, port: int, allowed: Sequence[IPNetwork] = ()) -> list[str]:
    """The addresses ``host`` resolves to, every one checked; TargetRefused if one is neither public
    nor in an ``allowed`` network."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"url: the host name {host} cannot be resolved ({exc})") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        reason = None if any(address in network for network in allowed) else _refusal(address)
        if reason is not None:
            raise TargetRefused(
                f"url: {host} is {reason} address ({address}); webhooks go to public addresses only "
                "(an administrator can allow a private network with ANNOTATE_WEBHOOKS_ALLOW_NETWORKS)"
            )
        addresses.append(str(address))
    if not addresses:
        raise TargetRefused(f"url: the host name {host} has no address")
    return addresses


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to a host name, made to an address already checked."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(_Pinned):
    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, allowed: Sequence[IPNetwork] = ()) -> Answer:
    """POST ``body`` to ``url`` (re-sent to each redirect's target, every hop checked); the answer.

    Raises TargetRefused for a target that may not be called, OSError for a network failure."""
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port = check_url(url)
        address = resolve(host, port, allowed)[0]
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = (_PinnedTLS if scheme == "https" else _Pinned)(host, port, address, TIMEOUT_SECONDS)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read(MAX_RESPONSE_BYTES)
            location = response.getheader("Location")
            status = response.status
        finally:
            connection.close()
        if status in REDIRECTS and location:
            url = urljoin(url, location)
            continue
        return Answer(status, answer, url)
    raise TargetRefused(f"more than {MAX_REDIRECTS} redirects")
