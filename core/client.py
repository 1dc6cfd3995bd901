"""The address of the client behind the deployment's proxies: one rule for every counter
that is kept per address (admin login failures, reader page limits; the API's throttles
follow the same setting through DRF's NUM_PROXIES)."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The client's address, as the nearest trusted proxy saw it.

    With `TRUSTED_PROXY_COUNT` = n proxies in front of the application, each appends the
    address it received the request from to X-Forwarded-For, so the n-th entry from the
    right is the one the first trusted proxy wrote: the real client. Everything to its
    left was written by the client and is ignored (a rotating X-Forwarded-For neither
    escapes a limit nor locks other people out). With no proxy (n = 0) the header is
    ignored altogether and REMOTE_ADDR is the client. This is DRF's own reading of
    NUM_PROXIES, so the API's throttles and these counters agree.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded.strip():
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    candidate = entries[-min(count, len(entries))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # Not an address a proxy writes (a request that bypassed the proxy, a port, junk):
        # the connection's own address, which the database can store, is the safe choice.
        return remote
