"""Tokens cross between Moat and two independent JOSE libraries, PyJWT and jwcrypto.

Python-made tokens are validated by Moat's AccessTokenValidator through
`moat-bench validate`, which fetches the issuer's discovery document and JWKS
from a loopback http.server this test runs. Moat-made tokens come from
`moat-bench sign` and are verified by both libraries.
"""

import base64
import hashlib
import hmac
import http.server
import json
import subprocess
import threading
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

from conftest import API_CLIENT_ID, AUDITOR_CLIENT_ID, AUDITOR_SECRET, TENANT, WEB_CLIENT_ID

ALGORITHMS = ["RS256", "PS256", "ES256", "ES384", "EdDSA"]


def _private_key(algorithm):
    if algorithm in ("RS256", "PS256"):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "ES384":
        return ec.generate_private_key(ec.SECP384R1())
    return ed25519.Ed25519PrivateKey.generate()


class _KeyServer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        documents = self.server.documents
        if self.path not in documents:
            self.send_error(404)
            return
        body = json.dumps(documents[self.path]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def python_issuer():
    """A loopback issuer publishing a discovery document and a JWKS of Python-generated keys."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _KeyServer)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    issuer = f"{base}/{TENANT}/v2.0"
    keys = {algorithm: _private_key(algorithm) for algorithm in ALGORITHMS}
    jwks = []
    for algorithm, key in keys.items():
        public = json.loads(jwcrypto_jwk.JWK.from_pyca(key.public_key()).export_public())
        public.update({"kid": f"py-{algorithm}", "alg": algorithm, "use": "sig"})
        jwks.append(public)
    server.documents = {
        f"/{TENANT}/v2.0/.well-known/openid-configuration": {
            "issuer": issuer,
            "authorization_endpoint": f"{base}/{TENANT}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/{TENANT}/oauth2/v2.0/token",
            "jwks_uri": f"{base}/{TENANT}/discovery/v2.0/keys",
        },
        f"/{TENANT}/discovery/v2.0/keys": {"keys": jwks},
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield issuer, keys
    server.shutdown()
    server.server_close()


def _claims(issuer):
    now = int(time.time())
    return {
        "aud": API_CLIENT_ID, "iss": issuer, "iat": now, "nbf": now, "exp": now + 600,
        "azp": WEB_CLIENT_ID, "oid": "2afeed91-10d6-4063-932f-71f5c7146f3f", "tid": TENANT,
        "scp": "Chat", "roles": ["Reader"], "sub": "python-subject", "ver": "2.0",
    }


def _validate_with_moat(moat_bench, issuer, tokens, tmp_path):
    path = tmp_path / "tokens.txt"
    path.write_text("".join(f"{name} {token}\n" for name, token in tokens.items()))
    output = subprocess.run(
        [moat_bench, "validate", "--issuer", issuer, "--audience", API_CLIENT_ID, "--client", WEB_CLIENT_ID, "--tokens", str(path)],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout
    return {line["name"]: line for line in map(json.loads, output.splitlines())}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_pyjwt_token_is_accepted_by_moat(python_issuer, moat_bench, tmp_path, algorithm):
    issuer, keys = python_issuer
    token = jwt.encode(_claims(issuer), keys[algorithm], algorithm=algorithm, headers={"kid": f"py-{algorithm}"})

    results = _validate_with_moat(moat_bench, issuer, {"token": token}, tmp_path)

    assert results["token"]["valid"] is True, results


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_jwcrypto_token_is_accepted_by_moat(python_issuer, moat_bench, tmp_path, algorithm):
    issuer, keys = python_issuer
    key = jwcrypto_jwk.JWK.from_pyca(keys[algorithm])
    token = jwcrypto_jwt.JWT(header={"alg": algorithm, "kid": f"py-{algorithm}", "typ": "JWT"}, claims=_claims(issuer))
    token.make_signed_token(key)

    results = _validate_with_moat(moat_bench, issuer, {"token": token.serialize()}, tmp_path)

    assert results["token"]["valid"] is True, results


def test_python_forgeries_are_rejected_by_moat(python_issuer, moat_bench, tmp_path):
    issuer, keys = python_issuer
    claims = _claims(issuer)
    public_pem = keys["RS256"].public_key().public_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo)
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": "py-RS256"}).encode()).rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forgeries = {
        "hs256_with_public_key": f"{header}.{payload}." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode(),
        "alg_none": jwt.encode(claims, None, algorithm="none", headers={"kid": "py-RS256"}),
        "expired": jwt.encode({**claims, "exp": claims["iat"] - 3600}, keys["ES256"], algorithm="ES256", headers={"kid": "py-ES256"}),
        "wrong_audience": jwt.encode({**claims, "aud": "api://other"}, keys["ES256"], algorithm="ES256", headers={"kid": "py-ES256"}),
    }

    results = _validate_with_moat(moat_bench, issuer, forgeries, tmp_path)

    assert results["hs256_with_public_key"]["code"] == "unsupported_algorithm"
    assert results["alg_none"]["code"] == "malformed_token"
    assert results["expired"]["code"] == "token_expired"
    assert results["wrong_audience"]["code"] == "audience_mismatch"


@pytest.fixture(scope="module")
def moat_tokens(moat_bench, tmp_path_factory):
    folder = tmp_path_factory.mktemp("moat-signed")
    issuer = f"https://login.example.test/{TENANT}/v2.0"
    subprocess.run(
        [moat_bench, "sign", "--out", str(folder), "--issuer", issuer, "--audience", API_CLIENT_ID, "--client", WEB_CLIENT_ID, "--tenant", TENANT],
        check=True, timeout=60,
    )
    jwks = json.loads((folder / "jwks.json").read_text())
    return issuer, jwks, {algorithm: (folder / f"moat-{algorithm}.jwt").read_text() for algorithm in ALGORITHMS}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_moat_token_verifies_in_pyjwt(moat_tokens, algorithm):
    issuer, jwks, tokens = moat_tokens
    key = jwt.PyJWKSet.from_dict(jwks)[f"moat-{algorithm}"]

    claims = jwt.decode(tokens[algorithm], key.key, algorithms=[algorithm], audience=API_CLIENT_ID, issuer=issuer)

    assert claims["tid"] == TENANT


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_moat_token_verifies_in_jwcrypto(moat_tokens, algorithm):
    issuer, jwks, tokens = moat_tokens
    key_set = jwcrypto_jwk.JWKSet.from_json(json.dumps(jwks))

    token = jwcrypto_jwt.JWT(jwt=tokens[algorithm], key=key_set, algs=[algorithm], check_claims={"iss": issuer, "aud": API_CLIENT_ID})

    assert json.loads(token.claims)["oid"] == "2afeed91-10d6-4063-932f-71f5c7146f3f"


def test_moat_idp_token_verifies_in_pyjwt(idp_http):
    # An app-only token from moat idp, checked by PyJWT with the key from the IdP's JWKS endpoint.
    response = requests.post(
        f"{idp_http}/{TENANT}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "scope": "api://moat-api/.default"},
        auth=(AUDITOR_CLIENT_ID, AUDITOR_SECRET), timeout=10,
    )
    token = response.json()["access_token"]
    key = jwt.PyJWKClient(f"{idp_http}/{TENANT}/discovery/v2.0/keys").get_signing_key_from_jwt(token)

    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=API_CLIENT_ID, options={"verify_iss": False})

    assert claims["idtyp"] == "app"
    assert claims["azp"] == AUDITOR_CLIENT_ID
