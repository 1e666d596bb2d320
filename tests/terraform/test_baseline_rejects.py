"""The baseline checks themselves: each must report a configuration that breaks its rule."""

import textwrap

import baseline
from terraform_source import load_configuration


def configuration_from(tmp_path, text):
    (tmp_path / "main.tf").write_text(textwrap.dedent(text), encoding="utf-8")
    return load_configuration(tmp_path)


def test_public_key_vault_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        resource "azurerm_key_vault" "open" {
          public_network_access_enabled = true
          network_acls {
            default_action = "Allow"
          }
        }
    """)
    violations = baseline.data_tier_violations(configuration)
    assert any("public_network_access_enabled" in violation for violation in violations)
    assert any("default_action" in violation for violation in violations)


def test_postgresql_with_password_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        resource "azurerm_postgresql_flexible_server" "db" {
          public_network_access_enabled = false
          delegated_subnet_id           = var.subnet
          authentication {
            password_auth_enabled = true
          }
        }
    """)
    assert baseline.data_tier_violations(configuration) == [
        "azurerm_postgresql_flexible_server.db must set authentication.password_auth_enabled = false"
    ]


def test_tls_1_0_web_app_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        resource "azurerm_linux_web_app" "old" {
          https_only = false
          site_config {
            minimum_tls_version     = "1.0"
            scm_minimum_tls_version = "1.2"
            ftps_state              = "AllAllowed"
          }
        }
    """)
    violations = baseline.transport_violations(configuration)
    assert len(violations) == 3


def test_anonymous_authentication_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        resource "azurerm_linux_web_app" "app" {}
        resource "azapi_resource" "auth" {
          name = "authsettingsV2"
          body = {
            properties = {
              platform         = { enabled = true }
              globalValidation = { requireAuthentication = false, unauthenticatedClientAction = "AllowAnonymous" }
            }
          }
        }
    """)
    violations = baseline.app_authentication_violations(configuration)
    assert any("requireAuthentication" in violation for violation in violations)
    assert any("AllowAnonymous" in violation for violation in violations)
    assert any("auth_settings_v2" in violation for violation in violations)


def test_gateway_without_login_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "web" {
          source                = "../../modules/app"
          public_network_access = true
          authentication        = { mode = "code" }
        }
    """)
    violations = baseline.gateway_violations(configuration, gateway_pattern=True)
    assert any('must use authentication mode "login"' in violation for violation in violations)
    assert any("policy exemption" in violation for violation in violations)


def test_private_api_without_bearer_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "api" {
          source                = "../../modules/app"
          public_network_access = false
          authentication        = { mode = "code" }
        }
    """)
    violations = baseline.gateway_violations(configuration, gateway_pattern=False)
    assert len(violations) == 2


def test_missing_app_role_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        resource "azuread_application" "api" {
          app_role {
            value                = "Reader"
            allowed_member_types = ["User"]
          }
          api {
            requested_access_token_version = 1
          }
        }
    """)
    violations = baseline.app_role_violations(configuration)
    assert any("Admin" in violation for violation in violations)
    assert any("Chat.Invoke" in violation for violation in violations)
    assert any("scope Chat" in violation for violation in violations)
    assert any("v2.0" in violation for violation in violations)


def test_literal_secret_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "web" {
          source            = "../../modules/app"
          app_settings      = merge(local.extra, { MOAT_WEB_CLIENT_SECRET = "hunter2" })
          key_vault_secrets = { MOAT_LLM_API_KEY = "https://vault.vault.azure.net/secrets/key" }
        }
        locals {
          extra = { MOAT_LOG_LEVEL = "info" }
        }
        resource "azurerm_postgresql_flexible_server" "db" {
          administrator_password = "P@ssw0rd!"
        }
        output "secret" {
          value = azuread_application_password.web.value
        }
    """)
    violations = baseline.secret_violations(configuration)
    assert any("MOAT_WEB_CLIENT_SECRET looks like a secret" in violation for violation in violations)
    assert any("key_vault_secrets.MOAT_LLM_API_KEY" in violation for violation in violations)
    assert any("administrator_password" in violation for violation in violations)
    assert any("output secret" in violation for violation in violations)


def test_reference_to_secret_is_accepted(tmp_path):
    configuration = configuration_from(tmp_path, """
        resource "azurerm_key_vault_secret" "client" {
          value           = azuread_application_password.web.value
          content_type    = "client secret"
          expiration_date = azuread_application_password.web.end_date
        }
        output "secret_uri" {
          value = azurerm_key_vault_secret.client.versionless_id
        }
    """)
    assert baseline.secret_violations(configuration) == []
