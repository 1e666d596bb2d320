"""MSAL Python acquires client-credentials tokens from `moat idp`, and the api accepts them."""

import msal
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from conftest import AUDITOR_CLIENT_ID, AUDITOR_SECRET, TENANT


def _application(tls_proxy, https_session, credential):
    # instance_discovery=False: MSAL would otherwise ask login.microsoftonline.com whether the host is known.
    return msal.ConfidentialClientApplication(
        AUDITOR_CLIENT_ID,
        authority=f"{tls_proxy.base_url}/{TENANT}",
        client_credential=credential,
        http_client=https_session,
        instance_discovery=False,
    )


def _read_audit(api_url, token):
    return requests.get(f"{api_url}/v1/audit", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_client_secret_token_reads_the_audit_log(tls_proxy, https_session, api_url):
    result = _application(tls_proxy, https_session, AUDITOR_SECRET).acquire_token_for_client(scopes=["api://moat-api/.default"])

    assert "access_token" in result, result
    assert _read_audit(api_url, result["access_token"]).status_code == 200


def test_certificate_with_sha256_thumbprint_reads_the_audit_log(tls_proxy, https_session, api_url, fixtures_dir):
    # With public_certificate and no thumbprint, MSAL signs PS256 with x5t#S256 and sends x5c.
    credential = {
        "private_key": (fixtures_dir / "auditor-key.pem").read_text(),
        "public_certificate": (fixtures_dir / "auditor-cert.pem").read_text(),
    }
    result = _application(tls_proxy, https_session, credential).acquire_token_for_client(scopes=["api://moat-api/.default"])

    assert "access_token" in result, result
    assert _read_audit(api_url, result["access_token"]).status_code == 200


def test_certificate_with_sha1_thumbprint_reads_the_audit_log(tls_proxy, https_session, api_url, fixtures_dir):
    # With a thumbprint, MSAL signs RS256 with the SHA-1 x5t, the legacy Entra ID form.
    certificate = x509.load_pem_x509_certificate((fixtures_dir / "auditor-cert.pem").read_bytes())
    thumbprint = certificate.fingerprint(hashes.SHA1()).hex()
    credential = {"private_key": (fixtures_dir / "auditor-key.pem").read_text(), "thumbprint": thumbprint}
    result = _application(tls_proxy, https_session, credential).acquire_token_for_client(scopes=["api://moat-api/.default"])

    assert "access_token" in result, result
    assert _read_audit(api_url, result["access_token"]).status_code == 200


def test_wrong_secret_is_refused_with_invalid_client(tls_proxy, https_session):
    result = _application(tls_proxy, https_session, "not-the-secret").acquire_token_for_client(scopes=["api://moat-api/.default"])

    assert result.get("error") == "invalid_client"


def test_msal_fetches_only_discovery_and_token_endpoints(tls_proxy, https_session):
    tls_proxy.requests.clear()
    _application(tls_proxy, https_session, AUDITOR_SECRET).acquire_token_for_client(scopes=["api://moat-api/.default"])

    assert ("POST", f"/{TENANT}/oauth2/v2.0/token") in tls_proxy.requests
    assert set(tls_proxy.requests) <= {
        ("GET", f"/{TENANT}/v2.0/.well-known/openid-configuration"),
        ("POST", f"/{TENANT}/oauth2/v2.0/token"),
    }
