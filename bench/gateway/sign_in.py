#!/usr/bin/env python3
"""Sign in through a running `moat gateway` at the dev identity provider and
print the session cookies as one `Cookie` header value.

Usage: sign_in.py GATEWAY_URL USER PASSWORD. Uses only the standard library,
follows each redirect by hand and fails loudly when a step does not answer as
the sign-in flow expects.
"""

from __future__ import annotations

import html.parser
import http.client
import sys
import urllib.parse


class FormFields(html.parser.HTMLParser):
    """Collects the hidden inputs of the login form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""


def request(url: str, cookies: dict[str, str], method: str = "GET", body: str | None = None) -> tuple[http.client.HTTPResponse, str]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Accept": "text/html"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request(method, target, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        if value and "Max-Age=0" not in header:
            cookies[name] = value
        else:
            cookies.pop(name, None)
    return response, text


def main() -> int:
    gateway, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
    gateway_cookies: dict[str, str] = {}
    idp_cookies: dict[str, str] = {}

    login, _ = request(gateway + "/.auth/login/aad?post_login_redirect_uri=/", gateway_cookies)
    authorize = login.headers["Location"]
    if login.status != 302 or not authorize:
        raise SystemExit(f"sign_in: /.auth/login returned {login.status}")

    parts = urllib.parse.urlsplit(authorize)
    page, text = request(authorize, idp_cookies)
    form = FormFields()
    form.feed(text)
    if "transaction" not in form.fields:
        raise SystemExit(f"sign_in: the login page returned {page.status} without its form")

    fields = dict(form.fields, username=user, password=password)
    submitted, _ = request(f"{parts.scheme}://{parts.netloc}{parts.path}", idp_cookies, "POST", urllib.parse.urlencode(fields))
    callback = submitted.headers["Location"]
    if not callback:
        raise SystemExit(f"sign_in: the login form returned {submitted.status}")
    landed, _ = request(callback, gateway_cookies)
    if landed.status != 302:
        raise SystemExit(f"sign_in: the callback returned {landed.status}")
    print("; ".join(f"{name}={value}" for name, value in sorted(gateway_cookies.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
