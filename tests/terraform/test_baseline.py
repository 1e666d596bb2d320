"""The security baseline, asserted on the parsed Terraform of every module and example."""

import pytest

import baseline
from terraform_source import MODULES_ROOT, example_folders, load_configuration, module_calls, module_folders

MODULES = {path.name: load_configuration(path) for path in module_folders()}
EXAMPLES = {path.name: load_configuration(path) for path in example_folders()}
EVERY_FOLDER = {**{f"modules/{name}": c for name, c in MODULES.items()}, **{f"examples/{name}": c for name, c in EXAMPLES.items()}}


def test_every_module_and_pattern_exists():
    assert set(MODULES) == {"network", "identity", "app", "data", "policy"}
    assert set(EXAMPLES) == {"pattern-1", "pattern-2", "pattern-3"}


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_data_tier_has_no_public_network_access(folder):
    assert baseline.data_tier_violations(EVERY_FOLDER[folder]) == []


def test_data_module_declares_data_services():
    data = MODULES["data"]
    assert data.resources_of_type("azurerm_key_vault")
    assert data.resources_of_type("azurerm_postgresql_flexible_server")


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_https_only_with_tls_1_2_or_higher(folder):
    assert baseline.transport_violations(EVERY_FOLDER[folder]) == []


def test_app_module_declares_a_web_app():
    assert MODULES["app"].resources_of_type("azurerm_linux_web_app")


def test_app_module_authentication_settings():
    assert baseline.app_authentication_violations(MODULES["app"]) == []


@pytest.mark.parametrize("pattern", ["pattern-1", "pattern-2"])
def test_gateway_patterns_require_authentication(pattern):
    assert baseline.gateway_violations(EXAMPLES[pattern], gateway_pattern=True) == []


def test_pattern_3_web_exempt_api_private():
    assert baseline.gateway_violations(EXAMPLES["pattern-3"], gateway_pattern=False) == []


@pytest.mark.parametrize("pattern,expected", [("pattern-1", 1), ("pattern-2", 2), ("pattern-3", 2)])
def test_pattern_app_count(pattern, expected):
    assert len(module_calls(EXAMPLES[pattern], "modules/app")) == expected


@pytest.mark.parametrize("pattern", ["pattern-2", "pattern-3"])
def test_api_accepts_only_the_web_app(pattern):
    api = module_calls(EXAMPLES[pattern], "modules/app")["api"]
    assert api["authentication"]["allowed_applications"] == ["${module.identity.web_client_id}"]


def test_api_registration_has_app_roles_and_chat_scope():
    assert baseline.app_role_violations(MODULES["identity"]) == []


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_secrets_only_from_key_vault_references(folder):
    assert baseline.secret_violations(EVERY_FOLDER[folder]) == []


def test_app_module_builds_key_vault_references():
    assert baseline.key_vault_reference_violations(MODULES["app"]) == []


@pytest.mark.parametrize("pattern", ["pattern-1", "pattern-2", "pattern-3"])
def test_every_pattern_assigns_the_policies(pattern):
    policy_calls = module_calls(EXAMPLES[pattern], "modules/policy")
    assert len(policy_calls) == 1


def test_policy_denies_public_data_services():
    policy = MODULES["policy"]
    rule = policy.resources_of_type("azurerm_policy_definition")["data_public_network_access"]["policy_rule"]
    for alias in (
        "Microsoft.DBforPostgreSQL/flexibleServers/network.publicNetworkAccess",
        "Microsoft.KeyVault/vaults/publicNetworkAccess",
    ):
        assert alias in rule


def test_policy_effect_defaults_to_deny():
    assert MODULES["policy"].variables["effect"]["default"] == "Deny"


def test_every_checkov_skip_has_a_reason():
    import re

    skip = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(:?)(.*)")
    for path in sorted(MODULES_ROOT.parent.rglob("*.tf")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = skip.search(line)
            if match:
                assert match.group(2) == ":", f"{path}: {line.strip()}"
                assert len(match.group(3).strip()) >= 20, f"{path}: {line.strip()}"


@pytest.mark.parametrize("pattern,app,setting", [
    ("pattern-1", "app", "MOAT_API_ISSUER"),
    ("pattern-2", "web", "MOAT_WEB_API_SCOPE"),
    ("pattern-3", "api", "MOAT_API_AUDIENCES"),
])
def test_app_settings_are_read_from_merge_expressions(pattern, app, setting):
    example = EXAMPLES[pattern]
    call = module_calls(example, "modules/app")[app]
    assert setting in example.object_entries(call["app_settings"])
