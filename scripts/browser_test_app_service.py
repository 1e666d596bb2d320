#!/usr/bin/env python3
"""Stand in for Azure App Service authentication in front of Moat's web tier, for the browser test.

scripts/browser-test.sh starts this on a loopback port in front of a
`moat up --pattern 1` with `MOAT_WEB_FRONT_DOOR=app-service`. It behaves like
App Service's authentication module ("Easy Auth") with its token store on:

- A request without a session is sent to `/.auth/login/aad`, which signs the
  user in at `moat idp` with the authorization code flow (PKCE), as the web
  registration with its client secret, and keeps the token response per
  `AppServiceAuthSession` cookie.
- A request with a session goes to the web tier with the token store's tokens
  in `X-MS-TOKEN-AAD-ACCESS-TOKEN` and `X-MS-TOKEN-AAD-ID-TOKEN` and the
  client principal in `X-MS-CLIENT-PRINCIPAL*`. Copies of those fields sent by
  the browser are removed first.
- `GET /.auth/refresh` redeems the stored refresh token and stores the new
  tokens: 200, or 401 without a session or when the identity provider rejects
  the refresh token.
- `GET /.auth/logout` ends the session.

Test-only endpoints, which the real service does not have:

- `POST /.auth/test/expire` replaces every session's access and ID token with a
  copy whose `exp` passed 10 minutes ago, signed with the identity provider's
  key (--signing-key), so expiry is the tokens' only fault.
- `POST /.auth/test/revoke` drops every session's refresh token, so the next
  refresh fails.
- `GET /.auth/test/counts` returns JSON with `refresh_calls` (calls of
  `/.auth/refresh`) and `expired_rejections` (web tier responses with the
  code `front_door_token_expired`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import secrets
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SESSION_COOKIE = "AppServiceAuthSession"
CALLBACK_PATH = "/auth/callback"
# Scopes App Service requests with `loginParameters` that include offline_access and the api's scope.
SIGN_IN_SCOPE = "openid profile offline_access api://moat-api/Chat"
# Header fields App Service sets itself; a client's copies never reach the app.
RESERVED_PREFIXES = ("x-ms-client-principal", "x-ms-token-")
# Hop-by-hop fields (RFC 9110 §7.6.1) and those this relay sets itself.
NOT_FORWARDED = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection", "host", "content-length"}


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def decode_segment(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


class TokenStore:
    """Token responses per session id, and the counters the test reads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sessions: dict[str, dict] = {}
        # state -> (PKCE verifier, post-login path)
        self.pending: dict[str, tuple[str, str]] = {}
        self.refresh_calls = 0
        self.expired_rejections = 0


class FrontDoor:
    """The stand-in's settings (web tier, identity provider, web registration) and its token store."""

    def __init__(self, arguments: argparse.Namespace) -> None:
        with arguments.directory.open("rb") as file:
            directory = tomllib.load(file)
        web_app = next(app for app in directory["apps"] if app["name"] == "moat-web")
        self.client_id: str = web_app["client_id"]
        self.client_secret: str = web_app["client_secret"]
        self.oauth_base = f"{arguments.idp.rstrip('/')}/{directory['tenant']['id']}/oauth2/v2.0"
        self.web = urllib.parse.urlsplit(arguments.web)
        self.public_url = f"http://127.0.0.1:{arguments.port}"
        self.signing_key: Path = arguments.signing_key
        self.store = TokenStore()

    def request_tokens(self, form: dict[str, str]) -> dict | None:
        """Post `form` to the token endpoint as the web registration and return the tokens, or None on an error response."""
        credentials = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        request = urllib.request.Request(
            self.oauth_base + "/token",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {credentials}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            print(f"app-service: token endpoint returned {error.code} for grant {form['grant_type']}", file=sys.stderr)
            return None

    def expired_copy(self, token: str) -> str:
        """Re-sign `token` with the identity provider's key and an `exp` 10 minutes in the past (RS256 with openssl)."""
        header, payload, _ = token.split(".")
        claims = decode_segment(payload)
        expired_at = int(time.time()) - 600
        claims.update(exp=expired_at, iat=expired_at - 3600, nbf=expired_at - 3600)
        signing_input = header + "." + base64url(json.dumps(claims, separators=(",", ":")).encode())
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.signing_key)],
            input=signing_input.encode(), capture_output=True, check=True,
        ).stdout
        return signing_input + "." + base64url(signature)


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.0 ends each response by closing the connection, so a streamed answer
    # can be relayed as it arrives without re-framing it.
    protocol_version = "HTTP/1.0"
    front_door: FrontDoor

    def log_message(self, format: str, *args: object) -> None:
        print(f"app-service: {self.command} {self.path.split('?')[0]} -> {format % args}", file=sys.stderr)

    def session_id(self) -> str | None:
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == SESSION_COOKIE and value in self.front_door.store.sessions:
                return value
        return None

    def reply(self, status: int, body: bytes = b"", content_type: str = "text/plain", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, cookie: str | None = None) -> None:
        self.reply(302, headers={"Location": location, **({"Set-Cookie": cookie} if cookie else {})})

    def do_GET(self) -> None:
        self.route()

    def do_POST(self) -> None:
        self.route()

    def route(self) -> None:
        path, _, query = self.path.partition("?")
        parameters = dict(urllib.parse.parse_qsl(query))
        routes = {
            ("GET", "/.auth/login/aad"): lambda: self.login(parameters),
            ("GET", CALLBACK_PATH): lambda: self.callback(parameters),
            ("GET", "/.auth/refresh"): self.refresh,
            ("GET", "/.auth/logout"): self.logout,
            ("POST", "/.auth/test/expire"): self.expire,
            ("POST", "/.auth/test/revoke"): self.revoke,
            ("GET", "/.auth/test/counts"): self.counts,
        }
        if (self.command, path) in routes:
            routes[(self.command, path)]()
        elif path.startswith("/.auth/"):
            self.reply(404)
        else:
            self.forward()

    def login(self, parameters: dict[str, str]) -> None:
        target = parameters.get("post_login_redirect_uri", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        verifier = base64url(secrets.token_bytes(32))
        state = secrets.token_urlsafe(16)
        with self.front_door.store.lock:
            self.front_door.store.pending[state] = (verifier, target)
        query = urllib.parse.urlencode({
            "client_id": self.front_door.client_id, "response_type": "code", "redirect_uri": self.front_door.public_url + CALLBACK_PATH,
            "scope": SIGN_IN_SCOPE, "state": state, "nonce": secrets.token_urlsafe(16),
            "code_challenge": base64url(hashlib.sha256(verifier.encode()).digest()), "code_challenge_method": "S256",
        })
        self.redirect(self.front_door.oauth_base + "/authorize?" + query)

    def callback(self, parameters: dict[str, str]) -> None:
        with self.front_door.store.lock:
            pending = self.front_door.store.pending.pop(parameters.get("state", ""), None)
        if pending is None or "code" not in parameters:
            self.reply(400, b"unknown sign-in state or missing code")
            return
        verifier, target = pending
        tokens = self.front_door.request_tokens({
            "grant_type": "authorization_code", "code": parameters["code"],
            "redirect_uri": self.front_door.public_url + CALLBACK_PATH, "code_verifier": verifier,
        })
        if tokens is None:
            self.reply(401, b"the authorization code was rejected")
            return
        session = secrets.token_urlsafe(24)
        with self.front_door.store.lock:
            self.front_door.store.sessions[session] = tokens
        self.redirect(target, cookie=f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax")

    def refresh(self) -> None:
        store = self.front_door.store
        session = self.session_id()
        with store.lock:
            store.refresh_calls += 1
            refresh_token = store.sessions[session].get("refresh_token") if session else None
        if refresh_token is None:
            self.reply(401, b"no refresh token in the token store")
            return
        tokens = self.front_door.request_tokens({"grant_type": "refresh_token", "refresh_token": refresh_token})
        if tokens is None:
            self.reply(401, b"the identity provider rejected the refresh token")
            return
        with store.lock:
            previous = store.sessions[session]
            tokens.setdefault("refresh_token", refresh_token)
            tokens.setdefault("id_token", previous.get("id_token"))
            store.sessions[session] = tokens
        self.reply(200)

    def logout(self) -> None:
        session = self.session_id()
        with self.front_door.store.lock:
            self.front_door.store.sessions.pop(session or "", None)
        self.redirect("/", cookie=f"{SESSION_COOKIE}=; Path=/; Max-Age=0")

    def expire(self) -> None:
        with self.front_door.store.lock:
            for tokens in self.front_door.store.sessions.values():
                tokens["access_token"] = self.front_door.expired_copy(tokens["access_token"])
                if tokens.get("id_token"):
                    tokens["id_token"] = self.front_door.expired_copy(tokens["id_token"])
        self.reply(204)

    def revoke(self) -> None:
        with self.front_door.store.lock:
            for tokens in self.front_door.store.sessions.values():
                tokens.pop("refresh_token", None)
        self.reply(204)

    def counts(self) -> None:
        store = self.front_door.store
        with store.lock:
            body = {"refresh_calls": store.refresh_calls, "expired_rejections": store.expired_rejections}
        self.reply(200, json.dumps(body).encode(), "application/json")

    def forward(self) -> None:
        """Relay the request to the web tier with the token store's fields, or send the browser to sign in."""
        session = self.session_id()
        if session is None:
            if self.command == "GET":
                self.redirect("/.auth/login/aad?" + urllib.parse.urlencode({"post_login_redirect_uri": self.path}))
            else:
                self.reply(401, b"sign in first")
            return
        with self.front_door.store.lock:
            tokens = dict(self.front_door.store.sessions[session])

        id_claims = decode_segment(tokens["id_token"].split(".")[1])
        principal = {"auth_typ": "aad", "claims": [{"typ": "oid", "val": id_claims["oid"]}], "name_typ": "name", "role_typ": "roles"}
        headers = {
            name: value for name, value in self.headers.items()
            if name.lower() not in NOT_FORWARDED and not name.lower().startswith(RESERVED_PREFIXES)
        }
        headers.update({
            "Host": self.headers.get("Host", ""),
            "X-MS-TOKEN-AAD-ACCESS-TOKEN": tokens["access_token"], "X-MS-TOKEN-AAD-ID-TOKEN": tokens["id_token"],
            "X-MS-CLIENT-PRINCIPAL": base64.b64encode(json.dumps(principal).encode()).decode(),
            "X-MS-CLIENT-PRINCIPAL-ID": id_claims["oid"], "X-MS-CLIENT-PRINCIPAL-NAME": id_claims.get("preferred_username", ""),
            "X-MS-CLIENT-PRINCIPAL-IDP": "aad",
        })

        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None

        upstream = http.client.HTTPConnection(self.front_door.web.hostname, self.front_door.web.port, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            self.relay(response)
        finally:
            upstream.close()

    def relay(self, response: http.client.HTTPResponse) -> None:
        if response.status == 401 and "problem+json" in response.getheader("Content-Type", ""):
            body = response.read()
            if json.loads(body or b"{}").get("code") == "front_door_token_expired":
                with self.front_door.store.lock:
                    self.front_door.store.expired_rejections += 1
            self.reply(401, body, "application/problem+json")
            return
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in NOT_FORWARDED:
                self.send_header(name, value)
        self.end_headers()
        while chunk := response.read1(65536):
            self.wfile.write(chunk)
            self.wfile.flush()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="loopback port to listen on")
    parser.add_argument("--web", required=True, help="base URL of the web tier, for example http://127.0.0.1:8080")
    parser.add_argument("--idp", required=True, help="base URL of moat idp, for example http://127.0.0.1:8081")
    parser.add_argument("--signing-key", type=Path, required=True, help="the identity provider's PEM signing key, for /.auth/test/expire")
    parser.add_argument(
        "--directory", type=Path, help="demo directory TOML with the tenant and the moat-web registration",
        default=Path(__file__).resolve().parent.parent / "Sources" / "MoatLauncher" / "Demo" / "directory.toml",
    )
    arguments = parser.parse_args(argv)
    Handler.front_door = FrontDoor(arguments)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    print(f"app-service: listening on {Handler.front_door.public_url}", file=sys.stderr)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
