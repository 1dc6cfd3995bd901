"""The fetcher: timeouts, size limit, content types, redirects and forbidden addresses."""

import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sources.fetching import FetchRefused, fetch, public_addresses

LOOPBACK = ipaddress.ip_address("127.0.0.1")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="text/html", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802  (the standard library's name)
        routes = {
            "/page": lambda: self.send(200, b"<html><body><p>Words.</p></body></html>"),
            "/pdf": lambda: self.send(200, b"%PDF-1.4", "application/pdf"),
            "/image": lambda: self.send(200, b"GIF89a", "image/gif"),
            "/big": lambda: self.send(200, b"x" * 5000, "text/plain"),
            "/hop": lambda: self.send(302, headers=[("Location", "/page")]),
            "/loop": lambda: self.send(302, headers=[("Location", "/loop")]),
            "/to-metadata": lambda: self.send(
                302, headers=[("Location", "http://169.254.169.254/latest/meta-data/")]
            ),
            "/missing": lambda: self.send(404, b"no"),
        }
        if self.path == "/slow":
            time.sleep(2)
            self.send(200, b"late", "text/plain")
            return
        if self.path == "/unsized":  # no Content-Length: the limit applies while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"y" * 5000)
            return
        routes.get(self.path, lambda: self.send(404))()


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def this_test_server_only(host, port):
    """The guard of these tests: the local test server, else the real rule."""
    if host == "127.0.0.1":
        return [LOOPBACK]
    return public_addresses(host, port)


def get(url, **options):
    return fetch(url, guard=this_test_server_only, **options)


def test_a_page_is_fetched_through_redirects(server):
    fetched = get(f"{server}/hop")
    assert fetched.url.endswith("/page")
    assert fetched.media_type == "text/html"
    assert b"Words." in fetched.data


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/image", "image/gif"),
        ("/missing", "HTTP 404"),
        ("/loop", "More than 3 redirects"),
        ("/to-metadata", "169.254.169.254"),
    ],
)
def test_answers_it_will_not_take(server, path, message):
    with pytest.raises(FetchRefused, match=message):
        get(f"{server}{path}")


@pytest.mark.parametrize("path", ["/big", "/unsized"])
def test_the_size_limit_holds_with_or_without_a_declared_length(server, path):
    with pytest.raises(FetchRefused, match="limit"):
        get(f"{server}{path}", max_bytes=1000)
    assert get(f"{server}{path}", max_bytes=10_000).data


def test_a_server_that_does_not_answer_in_time_is_given_up(server):
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="in time"):
        get(f"{server}/slow", read_timeout=0.3)
    assert time.monotonic() - started < 1.9  # gave up before the server's 2 s answer


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://224.0.0.1/",
    ],
)
def test_the_real_rule_never_requests_internal_addresses(url):
    with pytest.raises(FetchRefused, match="not a public address"):
        fetch(url)


def test_only_web_addresses(server):
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://x/"):
        with pytest.raises(FetchRefused, match="Only http and https"):
            fetch(url)
