"""Secret checks that look at values, not only at names.

A secret can hide under any name (OPENAI_KEY, a tag, a local). So every
string in a configuration, expressions included, is matched against the
shapes that secrets have: provider key prefixes, connection strings, URLs
with a password, PEM private keys and long high-entropy tokens.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterator

from terraform_source import Configuration

# Mirrors the app module's validation of app_settings names: one word is SECRET,
# PASSWORD or PASSWD, or the name ends in KEY, TOKEN, CONNECTION_STRING or CREDENTIALS.
APP_SETTING_SECRET_NAME = re.compile(r"(?i)(^|_)(SECRET|PASSWORD|PASSWD)(_|$)|(^|_)(KEY|TOKEN|CONNECTION_STRING|CREDENTIALS?)$")

# Variable names that hold a secret, and names that only describe one.
SECRET_VARIABLE_NAME = re.compile(r"(?i)(secret|password|passwd|api_?key|access_?key|connection_?string|private_?key|token)")
SECRET_METADATA_NAME = re.compile(r"(?i)^key_vault_|(_name|_uri|_id|_ids|_env|_setting|_days|_lifetime|_header|rotation.*|lifetime.*)$")

SECRET_VALUE_SHAPES = (
    ("an API key with a provider prefix (sk-, ghp_, xox.-)", re.compile(r"\b(sk-[A-Za-z0-9_-]{16,}|ghp_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,})")),
    ("a connection string with a key or password", re.compile(r"(?i)\b(AccountKey|SharedAccessKey|Password|Pwd)\s*=\s*[^;\s\"']{4,}")),
    ("a URL with a password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@\"']+:[^/\s@\"']+@")),
    ("a PEM private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)

# Runs stop at "/" so that URL paths and resource ids are not read as one token. NOTE: a
# base64 key whose slashes cut it into pieces shorter than 32 characters is missed.
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+=_-]{32,}")
_HEX_KEY = re.compile(r"\b[0-9a-fA-F]{64,}\b")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Bits per character above which a 32+ character run is taken for random key material:
# random base64 or base62 runs score about 4.5 to 5.5, words far less. Hex scores at most
# 4, so hex runs count only from 64 digits (a 256-bit key); shorter hex such as a Key
# Vault version id or a certificate thumbprint passes.
HIGH_ENTROPY_BITS = 4.2


def shannon_entropy(text: str) -> float:
    """Return the Shannon entropy of text in bits per character."""
    counts = Counter(text)
    return -sum(count / len(text) * math.log2(count / len(text)) for count in counts.values())


def secret_shape(value: str) -> str | None:
    """Return a description of the secret shape that value contains, or None."""
    for description, shape in SECRET_VALUE_SHAPES:
        if shape.search(value):
            return description
    if _HEX_KEY.search(value):
        return "a hexadecimal key of 64 or more digits"
    for run in _TOKEN_RUN.findall(value):
        if _UUID.match(run):
            continue
        has_letter = any(character.isalpha() for character in run)
        has_digit = any(character.isdigit() for character in run)
        if has_letter and has_digit and shannon_entropy(run) >= HIGH_ENTROPY_BITS:
            return f"a high-entropy token of {len(run)} characters"
    return None


def strings_in(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Yield (path, string) for every string inside a parsed value, expressions included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, f"{path}.{key}" if path else str(key))


def secret_value_violations(configuration: Configuration) -> list[str]:
    """No string in resources, module calls, locals, variable defaults or outputs may look like a secret."""
    sources: list[tuple[str, object]] = []
    sources += [(f"{kind}.{name}", body) for (kind, name), body in configuration.resources.items()]
    sources += [(f"module.{name}", body) for name, body in configuration.modules.items()]
    sources += [(f"local.{name}", value) for name, value in configuration.locals.items()]
    sources += [(f"variable.{name}.default", body.get("default")) for name, body in configuration.variables.items()]
    sources += [(f"output.{name}", body.get("value")) for name, body in configuration.outputs.items()]
    sources += [(f"{file_name}: {name}", value) for file_name, values in configuration.tfvars.items() for name, value in values.items()]
    violations = []
    for origin, value in sources:
        for path, text in strings_in(value, origin):
            shape = secret_shape(text)
            if shape:
                violations.append(f"{path} contains {shape}; store the secret in Key Vault and pass its URI in key_vault_secrets")
    return violations


def secret_default_violations(configuration: Configuration) -> list[str]:
    """A variable that is sensitive or named like a secret must have no default, so that no secret value reaches version control."""
    violations = []
    for name, body in configuration.variables.items():
        secret_like = SECRET_VARIABLE_NAME.search(name) and not SECRET_METADATA_NAME.search(name)
        if (body.get("sensitive") is True or secret_like) and body.get("default") is not None:
            violations.append(f"variable {name} holds a secret and must not have a default; remove the default and store the value in Key Vault")
    return violations
