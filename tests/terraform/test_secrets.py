"""Secrets by value and by variable default, and the app setting name rule shared with the app module."""

import re

import pytest

import baseline_secrets
from configurations import EVERY_FOLDER, MODULES, assert_no_violations

SECRET_SETTING_NAMES = ["MOAT_WEB_CLIENT_SECRET", "MOAT_API_CLIENT_SECRET", "OPENAI_KEY", "MOAT_LLM_API_KEY", "DB_PASSWORD", "SAS_TOKEN", "STORAGE_CONNECTION_STRING"]
PLAIN_SETTING_NAMES = ["MOAT_LLM_API_KEY_ENV", "MOAT_IDP_TOKEN_LIFETIME", "MOAT_LLM_AZURE_KEY_HEADER", "MOAT_API_MAX_TOKEN_AGE", "MOAT_WEB_API_URL", "WEBSITES_PORT"]


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_no_string_looks_like_a_secret(folder):
    assert_no_violations(baseline_secrets.secret_value_violations(EVERY_FOLDER[folder]), "no secret value in Terraform or its sample inputs")


@pytest.mark.parametrize("folder", sorted(EVERY_FOLDER))
def test_secret_variables_have_no_default(folder):
    assert_no_violations(baseline_secrets.secret_default_violations(EVERY_FOLDER[folder]), "a secret variable has no default")


def app_settings_name_rule() -> re.Pattern:
    """Return the regex in the app module's app_settings validation."""
    conditions = [str(rule.get("condition")) for rule in MODULES["app"].variables["app_settings"].get("validation", [])]
    patterns = [match for condition in conditions for match in re.findall(r'regex\("((?:[^"\\]|\\.)*)"', condition)]
    assert len(patterns) == 1, f"modules/app variable app_settings should have one regex validation, found {patterns}"
    return re.compile(patterns[0].encode().decode("unicode_escape"))


@pytest.mark.parametrize("name", SECRET_SETTING_NAMES)
def test_module_rejects_secret_setting_name(name):
    assert app_settings_name_rule().search(name), f"modules/app must reject the app setting {name}; move such settings to key_vault_secrets"
    assert baseline_secrets.APP_SETTING_SECRET_NAME.search(name), f"the tests' rule must flag {name} like modules/app does"


@pytest.mark.parametrize("name", PLAIN_SETTING_NAMES)
def test_module_accepts_plain_setting_name(name):
    assert not app_settings_name_rule().search(name), f"modules/app must accept the app setting {name}, which names no secret"
    assert not baseline_secrets.APP_SETTING_SECRET_NAME.search(name), f"the tests' rule must accept {name} like modules/app does"
