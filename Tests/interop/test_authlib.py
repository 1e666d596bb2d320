"""Authlib, an independent OpenID Connect client, signs in at `moat idp` with
the authorization code flow and PKCE S256, driving the login form with requests."""

import html.parser
import secrets
import urllib.parse

from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

from conftest import TENANT

CLIENT_ID = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
CLIENT_SECRET = "interop-oidc-client-secret"
REDIRECT_URI = "http://127.0.0.1:9/callback"


class _HiddenFields(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}
        self.action = None

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "form":
            self.action = attributes.get("action")
        if tag == "input" and attributes.get("type") == "hidden":
            self.fields[attributes["name"]] = attributes.get("value", "")


def test_authorization_code_with_pkce_signs_alice_in(tls_proxy, https_session, fixtures_dir):
    metadata = https_session.get(f"{tls_proxy.base_url}/{TENANT}/v2.0/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(
        CLIENT_ID, CLIENT_SECRET, scope="openid profile", redirect_uri=REDIRECT_URI, code_challenge_method="S256")
    client.trust_env = False
    client.verify = str(fixtures_dir / "tls-cert.pem")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

    page = https_session.get(url, timeout=10)
    form = _HiddenFields()
    form.feed(page.text)
    login = https_session.post(
        urllib.parse.urljoin(url, form.action),
        data={**form.fields, "username": "alice", "password": "moat-demo"},
        allow_redirects=False, timeout=10,
    )
    callback = login.headers["Location"]
    tokens = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    keys = JsonWebKey.import_key_set(https_session.get(metadata["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        tokens["id_token"], keys,
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}, "aud": {"essential": True, "value": CLIENT_ID}},
    )
    claims.validate()

    assert page.status_code == 200
    assert login.status_code == 303
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query)["state"] == [state]
    assert claims["nonce"] == nonce
    assert claims["preferred_username"] == "alice@fabrikam.example"


def test_authorization_without_pkce_is_refused(tls_proxy, https_session):
    query = urllib.parse.urlencode({
        "client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI, "scope": "openid", "state": "s1",
    })
    response = https_session.get(f"{tls_proxy.base_url}/{TENANT}/oauth2/v2.0/authorize?{query}", allow_redirects=False, timeout=10)

    parameters = urllib.parse.parse_qs(urllib.parse.urlsplit(response.headers["Location"]).query)
    assert parameters["error"] == ["invalid_request"]
    assert parameters["suberror"] == ["pkce_required"]
