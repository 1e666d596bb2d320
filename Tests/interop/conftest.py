"""Fixtures shared by the interoperability tests.

scripts/interop-test.sh starts `moat up` and passes its addresses in the
environment. The dev IdP publishes https://127.0.0.1:<MOAT_INTEROP_TLS_PORT>
as its base URL, because MSAL accepts only https authorities; the `tls_proxy`
fixture serves that address and forwards every request to the IdP's plain
HTTP port, recording what each client fetched.
"""

import http.client
import http.server
import os
import pathlib
import ssl
import threading

import pytest
import requests

TENANT = "1921488a-9834-4920-864a-44dfc001e2df"
API_CLIENT_ID = "9ac2b0ec-fbc8-4ee2-991e-793f1344adab"
WEB_CLIENT_ID = "b1878b01-5e5c-4982-a6c3-6028279da626"
AUDITOR_CLIENT_ID = "3080bac2-6138-4947-912b-a2e963f98948"
AUDITOR_SECRET = "moat-auditor-demo-secret"


def _required(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set; run the interoperability tests through scripts/interop-test.sh", returncode=2)
    return value


@pytest.fixture(scope="session")
def fixtures_dir():
    return pathlib.Path(_required("MOAT_INTEROP_DIR"))


@pytest.fixture(scope="session")
def idp_http():
    return _required("MOAT_INTEROP_IDP_HTTP")


@pytest.fixture(scope="session")
def api_url():
    return _required("MOAT_INTEROP_API")


@pytest.fixture(scope="session")
def moat_bench():
    return _required("MOAT_BENCH")


class _ForwardingHandler(http.server.BaseHTTPRequestHandler):
    """Forwards one request to the upstream HTTP server and relays its response."""

    protocol_version = "HTTP/1.1"

    def _forward(self):
        upstream = self.server.upstream
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        self.server.requests.append((self.command, self.path))
        connection = http.client.HTTPConnection(upstream[0], upstream[1], timeout=10)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in ("host", "connection")}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        connection.close()

    do_GET = _forward
    do_POST = _forward

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def tls_proxy(fixtures_dir, idp_http):
    """The dev IdP's public https address; `.requests` lists (method, path) seen."""
    port = int(_required("MOAT_INTEROP_TLS_PORT"))
    upstream_host, upstream_port = idp_http.removeprefix("http://").split(":")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _ForwardingHandler)
    server.upstream = (upstream_host, int(upstream_port))
    server.requests = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(fixtures_dir / "tls-cert.pem", fixtures_dir / "tls-key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base_url = f"https://127.0.0.1:{port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def https_session(fixtures_dir):
    """A requests session that trusts only the proxy's self-signed certificate."""
    session = requests.Session()
    # Without this, REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE from the environment would replace `verify`.
    session.trust_env = False
    session.verify = str(fixtures_dir / "tls-cert.pem")
    return session
