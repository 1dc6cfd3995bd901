"""Which copy of a source was read: at the publisher, in an archive, or in a third-party copy.

An evidence row's `copy_kind` is derived, never typed: from the address actually read
(`consulted_url`) against the source's own address and the archives listed here, and
stored on save so that lists and filters can use it.

- "archive": a web archive (Internet Archive, archive.today and the like) whatever the
  source, or a national, presidential-library or university archive listed below when the
  source's own address is elsewhere;
- "publisher": the source's own address or its registrable domain (www.example.org and
  news.example.org are both example.org; the Public Suffix List says where a domain's
  registrable part begins, so news.bbc.co.uk is bbc.co.uk, not co.uk);
- "third_party": anything else: a mirror, a reproduction, an aggregator;
- "": nothing recorded as read.

The lists are maintained here: add an archive when a curator meets one.
"""

from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from .choices import CopyKind

# Web archives: a copy there is an archive copy even when the source record points at it.
WEB_ARCHIVES = frozenset(
    {
        "archive.org",  # the Wayback Machine (web.archive.org) and archive.org items
        "archive.today",
        "archive.ph",
        "archive.is",
        "archive.li",
        "archive.vn",
        "archive.md",
        "archive.fo",
        "webcitation.org",
        "perma.cc",
        "archive-it.org",
        "arquivo.pt",
        "ghostarchive.org",
    }
)

# National, presidential-library, university and research archives, by registrable domain
# or by host (a host also covers its subdomains). A source published there is read "at the
# publisher"; a source published elsewhere and read there, "in an archive".
INSTITUTIONAL_ARCHIVES = frozenset(
    {
        "archives.gov",  # NARA: catalog.archives.gov, the presidential-library web archives
        "webarchive.loc.gov",
        "chroniclingamerica.loc.gov",
        "nationalarchives.gov.uk",
        "webarchive.nationalarchives.gov.uk",
        "nixonlibrary.gov",
        "fordlibrarymuseum.gov",
        "jimmycarterlibrary.gov",
        "reaganlibrary.gov",
        "reagan.utexas.edu",
        "bush41.org",
        "georgewbushlibrary.gov",
        "clintonlibrary.gov",
        "trumanlibrary.gov",
        "eisenhowerlibrary.gov",
        "jfklibrary.org",
        "lbjlibrary.org",
        "nsarchive.gwu.edu",  # the National Security Archive, George Washington University
        "digitalarchive.wilsoncenter.org",
        "paperspast.natlib.govt.nz",
        "trove.nla.gov.au",
        "scholarsarchive.byu.edu",
        "publishing.cdlib.org",
    }
)

# Archives known by a path on a host that also publishes other things.
ARCHIVE_PATHS = (("www.cia.gov", "/readingroom/"), ("cia.gov", "/readingroom/"))


@cache
def public_suffixes() -> PublicSuffixList:
    # The list ships with the package (no download); built once per process.
    return PublicSuffixList()


def host_of(url: str) -> str:
    """The host of an address, lower case, without a trailing dot (example.org. is example.org)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".")


def registrable_domain(host: str) -> str:
    """example.org for news.example.org; the host itself when the list has no answer (an IP)."""
    return public_suffixes().privatesuffix(host) or host


def on_listed_host(host: str, listed: frozenset) -> bool:
    """Whether `host` is a listed host or a subdomain of one."""
    parts = host.split(".")
    return any(".".join(parts[index:]) in listed for index in range(len(parts) - 1))


def in_archive(url: str, host: str) -> bool:
    if on_listed_host(host, INSTITUTIONAL_ARCHIVES):
        return True
    path = urlsplit(url.strip()).path
    return any(host == h and path.startswith(p) for h, p in ARCHIVE_PATHS)


def copy_kind(consulted_url: str, source_url: str) -> str:
    """The kind of copy `consulted_url` is of a source published at `source_url` (CopyKind)."""
    host = host_of(consulted_url or "")
    if not host:
        return ""
    if on_listed_host(host, WEB_ARCHIVES):
        return CopyKind.ARCHIVE
    source_host = host_of(source_url or "")
    if source_host and registrable_domain(host) == registrable_domain(source_host):
        return CopyKind.PUBLISHER
    if in_archive(consulted_url, host):
        return CopyKind.ARCHIVE
    return CopyKind.THIRD_PARTY
