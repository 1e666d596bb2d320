"""The security baseline, asserted on the parsed Terraform of every module and example."""

import re

import pytest

import baseline
from configurations import EVERY_FOLDER, EXAMPLES, MODULES, assert_no_violations, examples_of_pattern
from terraform_source import CUSTOM_ROOT, MODULES_ROOT, example_pattern, module_calls

REQUIRED_MODULES = {"network", "identity", "app", "data", "policy"}


def module(name):
    assert name in MODULES, f"modules/{name} is missing; the examples and these checks need it"
    return MODULES[name]


def test_every_module_exists():
    missing = REQUIRED_MODULES - set(MODULES)
    assert not missing, f"modules missing under {MODULES_ROOT}: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_declares_its_pattern(name):
    pattern = example_pattern(EXAMPLES[name])
    assert pattern in (1, 2, 3), f"examples/{name} must set locals {{ pattern = 1, 2 or 3 }}, found {pattern!r}"


@pytest.mark.skipif(CUSTOM_ROOT, reason="a copy of deploy/azure may hold only the patterns its team uses")
def test_every_pattern_has_an_example():
    declared = sorted(example_pattern(example) for example in EXAMPLES.values())
    assert declared == [1, 2, 3], f"the repository ships one example per pattern; found patterns {declared}"


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_data_tier_has_no_public_network_access(folder):
    assert_no_violations(baseline.data_tier_violations(EVERY_FOLDER[folder]), "data services must refuse public network traffic")


def test_data_module_declares_data_services():
    data = module("data")
    assert data.resources_of_type("azurerm_key_vault"), "modules/data must declare the Key Vault"
    assert data.resources_of_type("azurerm_postgresql_flexible_server"), "modules/data must declare the PostgreSQL server"


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_https_only_with_tls_1_2_or_higher(folder):
    assert_no_violations(baseline.transport_violations(EVERY_FOLDER[folder]), "HTTPS only, TLS 1.2 or higher")


def test_app_module_declares_a_web_app():
    assert module("app").resources_of_type("azurerm_linux_web_app"), "modules/app must declare azurerm_linux_web_app"


def test_app_module_authentication_settings():
    assert_no_violations(baseline.app_authentication_violations(module("app")), "App Service authentication requires sign-in or a token")


@pytest.mark.parametrize("name", examples_of_pattern(1, 2))
def test_gateway_patterns_require_authentication(name):
    assert_no_violations(baseline.gateway_violations(EXAMPLES[name], gateway_pattern=True), "patterns 1 and 2 sign users in at the gateway")


@pytest.mark.parametrize("name", examples_of_pattern(3))
def test_pattern_3_web_exempt_api_private(name):
    assert_no_violations(baseline.gateway_violations(EXAMPLES[name], gateway_pattern=False), "pattern 3's web signs in with code, its api is private")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_pattern_app_count(name):
    expected = {1: 1, 2: 2, 3: 2}.get(example_pattern(EXAMPLES[name]))
    apps = sorted(module_calls(EXAMPLES[name], "modules/app"))
    assert len(apps) == expected, f"pattern {example_pattern(EXAMPLES[name])} runs {expected} app(s), examples/{name} calls modules/app for {apps}"


def test_api_registration_has_app_roles_and_chat_scope():
    assert_no_violations(baseline.app_role_violations(module("identity")), "the api registration defines the roles, the Chat scope and v2 tokens")


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_secrets_only_from_key_vault_references(folder):
    assert_no_violations(baseline.secret_violations(EVERY_FOLDER[folder]), "secrets reach apps only as Key Vault references")


def test_app_module_builds_key_vault_references():
    assert_no_violations(baseline.key_vault_reference_violations(module("app")), "the app module builds Key Vault references")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_pattern_assigns_the_policies(name):
    calls = sorted(module_calls(EXAMPLES[name], "modules/policy"))
    assert len(calls) == 1, f"examples/{name} must call modules/policy exactly once, found {calls}"


def test_policy_module_effect_defaults_to_deny():
    default = module("policy").variables["effect"]["default"]
    assert default == "Deny", f"modules/policy variable effect must default to \"Deny\", not {default!r}; Audit is for an explicit first rollout"


def test_every_checkov_skip_has_a_reason():
    skip = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(:?)(.*)")
    for path in sorted(MODULES_ROOT.parent.rglob("*.tf")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = skip.search(line)
            if match:
                assert match.group(2) == ":", f"{path}: a checkov skip needs a reason after a colon: {line.strip()}"
                assert len(match.group(3).strip()) >= 20, f"{path}: a checkov skip's reason must say why in a sentence: {line.strip()}"


@pytest.mark.parametrize("pattern,app,setting", [
    (1, "app", "MOAT_API_ISSUER"),
    (2, "web", "MOAT_WEB_API_SCOPE"),
    (3, "api", "MOAT_API_AUDIENCES"),
])
def test_app_settings_are_read_from_merge_expressions(pattern, app, setting):
    for name in examples_of_pattern(pattern):
        example = EXAMPLES[name]
        call = module_calls(example, "modules/app")[app]
        entries = example.object_entries(call["app_settings"])
        assert setting in entries, f"examples/{name} module.{app} should set {setting}; the parser found {sorted(entries)}"
