"""What the docs promise about each pattern, asserted on the examples and modules."""

import pytest

import baseline_patterns
from configurations import EVERY_FOLDER, EXAMPLES, MODULES, assert_no_violations, examples_of_pattern
from terraform_source import MOAT_ENVIRONMENT_SOURCE, module_calls


@pytest.mark.parametrize("name", examples_of_pattern(2, 3))
def test_api_is_private(name):
    assert_no_violations(baseline_patterns.private_api_violations(EXAMPLES[name]), "the api of patterns 2 and 3 has no public endpoint")


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_authentication_excludes_single_paths_only(folder):
    assert_no_violations(baseline_patterns.excluded_path_violations(EVERY_FOLDER[folder]), "App Service authentication skips named paths only")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_policy_effect_is_deny_or_audit(name):
    assert_no_violations(baseline_patterns.policy_effect_violations(EXAMPLES[name]), "policies are assigned with Deny by default, Audit only on request")


def test_web_principal_requires_assignment():
    assert_no_violations(baseline_patterns.web_principal_violations(MODULES["identity"]), "only assigned users sign in to the web app")


def test_graph_sign_in_scopes_have_admin_consent():
    assert_no_violations(baseline_patterns.graph_consent_violations(MODULES["identity"]), "admin consent covers the Graph sign-in scopes")


def test_runner_reaches_key_vault_and_postgresql():
    assert_no_violations(baseline_patterns.runner_access_violations(MODULES["network"]), "the Terraform runner's ranges reach the data endpoints")


@pytest.mark.parametrize("name", examples_of_pattern(2, 3))
def test_web_tier_knows_the_api_url(name):
    web = module_calls(EXAMPLES[name], "modules/app")["web"]
    entries = EXAMPLES[name].object_entries(web["app_settings"])
    assert entries.get("MOAT_WEB_API_URL") == "${module.api.url}", (
        f"examples/{name} module.web must set MOAT_WEB_API_URL = module.api.url, otherwise Moat's web tier calls "
        f"http://0.0.0.0:8081; found {entries.get('MOAT_WEB_API_URL')!r}"
    )


@pytest.mark.parametrize("name", examples_of_pattern(3))
def test_signed_out_page_is_a_redirect_uri(name):
    identity = module_calls(EXAMPLES[name], "modules/identity")["identity"]
    uris = str(identity.get("web_redirect_uris"))
    assert "/auth/signed-out" in uris, (
        f"examples/{name} must register /auth/signed-out in web_redirect_uris: Entra ID sends the browser back after "
        f"sign-out only to a registered redirect URI; found {uris}"
    )


@pytest.mark.skipif(not MOAT_ENVIRONMENT_SOURCE.exists(), reason="Moat's Swift sources are not beside this Terraform")
@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_only_moat_variables_that_exist(folder):
    known = baseline_patterns.known_moat_variables(MOAT_ENVIRONMENT_SOURCE.read_text(encoding="utf-8"))
    assert len(known) > 20, f"found only {sorted(known)} in {MOAT_ENVIRONMENT_SOURCE}; the test no longer reads it correctly"
    assert_no_violations(baseline_patterns.moat_variable_violations(EVERY_FOLDER[folder], known), "Terraform sets only MOAT_* variables that Moat reads")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rotated_secret_pins_its_version(name):
    for app, call in module_calls(EXAMPLES[name], "modules/app").items():
        secrets = EXAMPLES[name].object_entries(call.get("key_vault_secrets"))
        versions = EXAMPLES[name].object_entries(call.get("key_vault_secret_versions"))
        for setting, uri in secrets.items():
            if uri != "${module.identity.web_client_secret_uri}":
                continue
            assert versions.get(setting) == "${module.identity.web_client_secret_version}", (
                f"examples/{name} module.{app} must pin {setting} with key_vault_secret_versions = "
                f"module.identity.web_client_secret_version, so that a rotation restarts the app before the old secret is deleted"
            )


@pytest.mark.parametrize("name", examples_of_pattern(1, 2))
def test_web_tier_trusts_app_service_tokens(name):
    assert_no_violations(baseline_patterns.front_door_violations(EXAMPLES[name]), "the web tier behind App Service authentication uses front_door = app-service")


def test_token_store_forwards_tokens():
    assert_no_violations(baseline_patterns.token_store_violations(MODULES["app"]), "App Service's token store forwards the tokens Moat validates")


@pytest.mark.parametrize("name", examples_of_pattern(1))
def test_pattern_one_requests_the_api_scope(name):
    assert_no_violations(baseline_patterns.api_scope_at_sign_in_violations(EXAMPLES[name]), "pattern 1's sign-in obtains an access token for the api")


@pytest.mark.parametrize("name", examples_of_pattern(2))
def test_pattern_two_requests_the_api_scope(name):
    assert_no_violations(baseline_patterns.api_scope_at_sign_in_violations(EXAMPLES[name], module="web"), "pattern 2's sign-in obtains an access token for the api")


@pytest.mark.parametrize("name", examples_of_pattern(2))
def test_pattern_two_publishes_the_user_context_key(name):
    assert_no_violations(baseline_patterns.user_context_key_violations(EXAMPLES[name]), "pattern 2's api can fetch the web tier's user context key")
