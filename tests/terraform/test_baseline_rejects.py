"""The baseline checks themselves: each must report a configuration that breaks its rule."""

import textwrap

import baseline
import baseline_patterns
import baseline_secrets
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


def test_secret_value_under_any_name_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "web" {
          source       = "../../modules/app"
          app_settings = merge(local.extra, { OPENAI_KEY_VALUE = "sk-proj-Tq3vX9aLm2ZkP8wYc4Rb", MOAT_LOG_LEVEL = "info" })
        }
        locals {
          extra = { STORAGE = "DefaultEndpointsProtocol=https;AccountName=moat;AccountKey=c2VjcmV0IGtleQ==" }
          blob  = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A="
        }
    """)
    violations = baseline_secrets.secret_value_violations(configuration)
    assert any("sk-" in violation and "module.web" in violation for violation in violations), violations
    assert any("local.extra" in violation and "connection string" in violation for violation in violations), violations
    assert any("local.blob" in violation and "high-entropy" in violation for violation in violations), violations


def test_plain_values_are_not_secrets(tmp_path):
    configuration = configuration_from(tmp_path, """
        locals {
          graph   = "00000003-0000-0000-c000-000000000000"
          version = "https://vault.vault.azure.net/secrets/name/0123456789abcdef0123456789abcdef"
          type    = "azurerm_postgresql_flexible_server_active_directory_administrator"
          scope   = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/registry1"
        }
    """)
    assert baseline_secrets.secret_value_violations(configuration) == []


def test_secret_variable_default_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        variable "openai_api_key" {
          type    = string
          default = "change-me"
        }
        variable "anything" {
          type      = string
          sensitive = true
          default   = "x"
        }
        variable "client_secret_lifetime_days" {
          type    = number
          default = 180
        }
    """)
    violations = baseline_secrets.secret_default_violations(configuration)
    assert any("openai_api_key" in violation for violation in violations), violations
    assert any("anything" in violation for violation in violations), violations
    assert not any("lifetime" in violation for violation in violations), violations


def test_wildcard_excluded_path_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "app" {
          source         = "../../modules/app"
          authentication = { mode = "login", excluded_paths = ["/healthz", "/*"] }
        }
        module "web" {
          source         = "../../modules/app"
          authentication = { mode = "login", excluded_paths = ["/"] }
        }
    """)
    violations = baseline_patterns.excluded_path_violations(configuration)
    assert any("module.app" in violation and "'/*'" in violation for violation in violations), violations
    assert any("module.web" in violation and "'/'" in violation for violation in violations), violations


def test_public_api_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "api" {
          source                = "../../modules/app"
          public_network_access = true
          authentication        = { mode = "bearer", allowed_applications = [module.identity.web_client_id] }
        }
    """)
    violations = baseline_patterns.private_api_violations(configuration)
    assert any("public_network_access = false" in violation for violation in violations), violations
    assert any("private_endpoint" in violation for violation in violations), violations


def test_web_principal_without_assignment_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        resource "azuread_service_principal" "web" {
          app_role_assignment_required = false
        }
    """)
    assert baseline_patterns.web_principal_violations(configuration) != []


def test_disabled_policy_effect_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "policy" {
          source = "../../modules/policy"
          effect = "Disabled"
        }
    """)
    violations = baseline_patterns.policy_effect_violations(configuration)
    assert any("'Disabled'" in violation for violation in violations), violations


def test_explicit_audit_effect_is_accepted(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "policy" {
          source = "../../modules/policy"
          effect = "Audit"
        }
    """)
    assert baseline_patterns.policy_effect_violations(configuration) == []


def test_audit_default_and_lax_validation_are_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "policy" {
          source = "../../modules/policy"
          effect = var.policy_effect
        }
        variable "policy_effect" {
          type    = string
          default = "Audit"
          validation {
            condition     = contains(["Deny", "Audit", "Disabled"], var.policy_effect)
            error_message = "x"
          }
        }
    """)
    violations = baseline_patterns.policy_effect_violations(configuration)
    assert any('default to "Deny"' in violation for violation in violations), violations
    assert any("reject 'Disabled'" in violation for violation in violations), violations


def test_unknown_moat_variable_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "web" {
          source       = "../../modules/app"
          app_settings = { MOAT_WEB_PORT = "8080", MOAT_WEB_API_BASE_URL = "https://api" }
        }
    """)
    violations = baseline_patterns.moat_variable_violations(configuration, {"MOAT_WEB_PORT"})
    assert len(violations) == 1, violations
    assert "MOAT_WEB_API_BASE_URL" in violations[0], violations


def test_login_app_without_app_service_front_door_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "app" {
          source         = "../../modules/app"
          authentication = { mode = "login" }
          app_settings   = { MOAT_WEB_FRONT_DOOR = "moat-gateway" }
        }
        module "api" {
          source         = "../../modules/app"
          authentication = { mode = "bearer" }
          app_settings   = { MOAT_API_PORT = "8081" }
        }
    """)
    violations = baseline_patterns.front_door_violations(configuration)
    assert any("module.app" in violation and "MOAT_WEB_FRONT_DOOR" in violation for violation in violations), violations
    assert any("module.app" in violation and "MOAT_WEB_CLIENT_ID" in violation for violation in violations), violations
    assert not any("module.api" in violation for violation in violations), violations


def test_disabled_token_store_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        locals {
          login_mode = var.authentication.mode == "login"
        }
        resource "azapi_update_resource" "authentication" {
          body = {
            properties = {
              login = {
                tokenStore = {
                  enabled = false
                }
              }
            }
          }
        }
    """)
    violations = baseline_patterns.token_store_violations(configuration)
    assert any("tokenStore.enabled" in violation for violation in violations), violations


def test_pattern_one_without_api_scope_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        module "app" {
          source         = "../../modules/app"
          authentication = { mode = "login", login_scopes = [] }
        }
    """)
    violations = baseline_patterns.api_scope_at_sign_in_violations(configuration)
    assert any("api_chat_scope" in violation for violation in violations), violations


def test_pattern_two_without_user_context_key_is_reported(tmp_path):
    configuration = configuration_from(tmp_path, """
        variable "web_command" {
          default = "moat web"
        }
        variable "api_command" {
          default = "moat api --pattern 2"
        }
        module "web" {
          source         = "../../modules/app"
          authentication = { mode = "login", excluded_paths = ["/healthz"] }
        }
        module "api" {
          source       = "../../modules/app"
          app_settings = { MOAT_API_PORT = "8081" }
        }
    """)
    violations = baseline_patterns.user_context_key_violations(configuration)
    assert any("excluded_paths" in violation for violation in violations), violations
    assert any("MOAT_WEB_PUBLIC_BASE_URL" in violation for violation in violations), violations
    assert any("web_command" in violation for violation in violations), violations
    assert not any("api_command" in violation for violation in violations), violations
