"""The policy rules, evaluated against sample requests: they deny what they must and nothing else."""

import json
import re

import pytest

from azure_policy import matches
from configurations import MODULES
from terraform_source import MODULES_ROOT

SITE_AUTH = "Microsoft.Web/sites/config/siteAuthEnabled"
WEB_CONFIG = {"type": "Microsoft.Web/sites/config", "name": "web"}


def rule(definition: str) -> dict:
    """Return the `if` part of a policy definition in modules/policy, read from the JSON file it loads."""
    body = MODULES["policy"].resources_of_type("azurerm_policy_definition")[definition]
    match = re.search(r'file\("\$\{path\.module\}/([^"]+)"\)', str(body["policy_rule"]))
    assert match, f"azurerm_policy_definition.{definition} should load its rule with file(\"${{path.module}}/rules/...\")"
    return json.loads((MODULES_ROOT / "policy" / match.group(1)).read_text(encoding="utf-8"))["if"]


@pytest.mark.parametrize("request_fields,denied", [
    ({**WEB_CONFIG, SITE_AUTH: False}, True),
    ({**WEB_CONFIG, SITE_AUTH: "false"}, True),
    ({**WEB_CONFIG, SITE_AUTH: True}, False),
    ({**WEB_CONFIG}, False),
    ({**WEB_CONFIG, "Microsoft.Web/sites/config/minTlsVersion": "1.2"}, False),
    ({"type": "Microsoft.Web/sites/config", "name": "appsettings", SITE_AUTH: False}, False),
    ({"type": "Microsoft.Web/sites", "name": "moat-web"}, False),
], ids=["auth-off", "auth-off-string", "auth-on", "field-absent", "tls-change", "other-config", "site"])
def test_authentication_rule(request_fields, denied):
    verdict = matches(rule("web_app_authentication"), request_fields)
    action = "deny" if denied else "let through"
    assert verdict == denied, f"the authentication policy must {action} {request_fields}; only a write that turns siteAuthEnabled off is denied"


@pytest.mark.parametrize("resource_type,alias", [
    ("Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults/publicNetworkAccess"),
    ("Microsoft.DBforPostgreSQL/flexibleServers", "Microsoft.DBforPostgreSQL/flexibleServers/network.publicNetworkAccess"),
    ("Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/publicNetworkAccess"),
    ("Microsoft.CognitiveServices/accounts", "Microsoft.CognitiveServices/accounts/publicNetworkAccess"),
])
def test_data_rule(resource_type, alias):
    data_rule = rule("data_public_network_access")
    assert matches(data_rule, {"type": resource_type, alias: "Enabled"}), f"the data policy must deny {resource_type} with public network access"
    assert matches(data_rule, {"type": resource_type}), f"the data policy must deny {resource_type} that does not say Disabled (Azure's default is Enabled)"
    assert not matches(data_rule, {"type": resource_type, alias: "Disabled"}), f"the data policy must let a private {resource_type} through"
