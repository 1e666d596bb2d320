"""Write the interoperability run's fixtures into a folder.

- auditor-key.pem, auditor-cert.pem: a certificate credential for moat-auditor.
- tls-key.pem, tls-cert.pem: a self-signed certificate for 127.0.0.1, used by
  the TLS proxy in front of the dev IdP (MSAL accepts only https authorities).
- directory.toml: the demo directory with that certificate registered for
  moat-auditor, and a confidential OIDC client for the authlib test.

Usage: python make_fixtures.py FOLDER DEMO_DIRECTORY
"""

import datetime
import ipaddress
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

INTEROP_CLIENT_ID = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
INTEROP_CLIENT_SECRET = "interop-oidc-client-secret"
INTEROP_REDIRECT_URI = "http://127.0.0.1:9/callback"


def self_signed(common_name, ip=None):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if ip:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
    certificate = builder.sign(key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key_pem.decode(), certificate.public_bytes(serialization.Encoding.PEM).decode()


def main(folder, demo_directory):
    folder = pathlib.Path(folder)
    auditor_key, auditor_cert = self_signed("moat-auditor")
    tls_key, tls_cert = self_signed("127.0.0.1", ip="127.0.0.1")
    (folder / "auditor-key.pem").write_text(auditor_key)
    (folder / "auditor-cert.pem").write_text(auditor_cert)
    (folder / "tls-key.pem").write_text(tls_key)
    (folder / "tls-cert.pem").write_text(tls_cert)

    text = pathlib.Path(demo_directory).read_text()
    marker = 'client_secret = "moat-auditor-demo-secret"\n'
    if marker not in text:
        sys.exit("make_fixtures: the demo directory no longer registers moat-auditor's secret; update the marker")
    # A [[apps.credentials]] table belongs to the [[apps]] entry above it, so it goes right after moat-auditor's keys.
    credential = '\n[[apps.credentials]]\ncertificate = """\n' + auditor_cert + '"""\n'
    text = text.replace(marker, marker + credential)
    text += f'''
[[apps]]
name = "interop-oidc"
client_id = "{INTEROP_CLIENT_ID}"
object_id = "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e"
client_secret = "{INTEROP_CLIENT_SECRET}"
redirect_uris = ["{INTEROP_REDIRECT_URI}"]
'''
    (folder / "directory.toml").write_text(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
