"""Fetching a copy of a source over the network, for deployments that allow it (`--fetch`).

A fetcher that takes addresses from data is a way into the server's own network, so:
every host is resolved first and every address it resolves to must be globally routable
(no loopback, private, link-local — which holds the cloud metadata service at
169.254.169.254 — shared, multicast, reserved or unspecified address); the connection then
goes to that checked address (a DNS answer cannot change between the check and the
connection); each redirect is checked the same way, and there are at most
`MAX_REDIRECTS`; connect and read timeouts, an overall deadline, a size limit and a
content-type allowlist bound what one fetch can cost.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from .models import SnapshotMediaType

MAX_REDIRECTS = 3
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
DEADLINE = 60.0
USER_AGENT = "Claimbase-snapshot/1 (research database; one copy of a cited page)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Guard = Callable[[str, int], list[Address]]


class FetchRefused(Exception):
    """The address or the answer is not one the fetcher will take; the message says why."""


@dataclass
class Fetched:
    url: str  # the address finally read (after redirects)
    media_type: str
    data: bytes


def forbidden(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def public_addresses(host: str, port: int) -> list[Address]:
    """The host's addresses, all of which must be public; else FetchRefused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchRefused(f"The host {host} cannot be resolved ({error}).") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if forbidden(address):
            raise FetchRefused(
                f"{host} resolves to {address}, which is not a public address: the fetcher "
                "never requests loopback, private, link-local or metadata addresses."
            )
    return addresses


def fetch(
    url: str,
    *,
    guard: Guard = public_addresses,
    max_bytes: int | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    deadline: float = DEADLINE,
) -> Fetched:
    """GET `url` within the limits above; the body and its allowed media type."""
    limit = max_bytes or settings.SNAPSHOT_MAX_BYTES
    ends_at = time.monotonic() + deadline
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise FetchRefused(f"Only http and https addresses can be fetched, not {url!r}.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = guard(parts.hostname, port)[0]
        response, connection = _request(parts, port, address, connect_timeout, read_timeout)
        try:
            if response.status in {301, 302, 303, 307, 308}:
                location = response.getheader("Location")
                if not location:
                    raise FetchRefused(f"{url} redirects without saying where.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(f"{url} answered HTTP {response.status}.")
            media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if media_type not in SnapshotMediaType.values:
                allowed = ", ".join(SnapshotMediaType.values)
                raise FetchRefused(f"{url} is {media_type or 'untyped'}; allowed: {allowed}.")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchRefused(f"{url} has {int(declared):,} bytes; the limit is {limit:,}.")
            return Fetched(
                url=url, media_type=media_type, data=_read(response, limit, ends_at, url)
            )
        finally:
            connection.close()
    raise FetchRefused(f"More than {MAX_REDIRECTS} redirects; stopped at {url}.")


def _request(parts, port: int, address: Address, connect_timeout: float, read_timeout: float):
    host = parts.hostname
    try:
        sock = socket.create_connection((str(address), port), timeout=connect_timeout)
    except OSError as error:
        raise FetchRefused(f"Cannot connect to {host} ({address}): {error}.") from error
    sock.settimeout(read_timeout)
    if parts.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    connection = http.client.HTTPConnection(host, port, timeout=read_timeout)
    connection.sock = sock  # already connected, to the checked address
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "GET",
            path,
            headers={"User-Agent": USER_AGENT, "Accept": ", ".join(SnapshotMediaType.values)},
        )
        return connection.getresponse(), connection
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise FetchRefused(f"{host} did not answer in time or properly: {error}.") from error


def _read(response, limit: int, ends_at: float, url: str) -> bytes:
    chunks, total = [], 0
    while True:
        if time.monotonic() > ends_at:
            raise FetchRefused(f"{url} took longer than the fetcher's deadline.")
        try:
            chunk = response.read(65536)
        except (OSError, http.client.HTTPException) as error:
            raise FetchRefused(f"Reading {url} failed: {error}.") from error
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise FetchRefused(f"{url} is larger than the limit of {limit:,} bytes.")
        chunks.append(chunk)
