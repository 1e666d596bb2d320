"""Checks of the security baseline on parsed Terraform.

Each check takes a Configuration and returns a list of violations, one
sentence each that names the resource and the fix; an empty list passes.
"""

from __future__ import annotations

import re

from baseline_secrets import APP_SETTING_SECRET_NAME
from terraform_source import Configuration, first_block, is_expression

# Resource types of the data tier: each must set public_network_access_enabled = false.
DATA_RESOURCE_TYPES = (
    "azurerm_key_vault",
    "azurerm_postgresql_flexible_server",
    "azurerm_storage_account",
    "azurerm_cosmosdb_account",
    "azurerm_mssql_server",
    "azurerm_cognitive_account",
)
WEB_APP_TYPES = ("azurerm_linux_web_app", "azurerm_windows_web_app")
ACCEPTED_TLS_VERSIONS = ("1.2", "1.3")
ACCEPTED_POSTGRESQL_TLS_VERSIONS = ("TLSv1.2", "TLSv1.3")
USER_ROLES = ("Reader", "Contributor", "Admin")
APPLICATION_ROLES = ("Audit.Read.All", "Chat.Invoke")

SECRET_NAME = re.compile(r"(?i)(secret|password|api_?key|access_?key|connection_?string|private_?key|token)")
# Names that contain a secret word but hold a reference to one, or metadata about it.
SECRET_METADATA_NAME = re.compile(r"(?i)(setting(_?name)?|_name|_uri|_id|_ids|content_type|expiration_date|enabled|rotation.*|lifetime.*|_days|store)$")
SECRET_OUTPUT_VALUE = re.compile(r"azuread_application_password\.|azurerm_key_vault_secret\.[A-Za-z0-9_]+\.value\b|\.client_secret\b")


def data_tier_violations(configuration: Configuration) -> list[str]:
    """Data services must refuse public network traffic."""
    violations = []
    for resource_type in DATA_RESOURCE_TYPES:
        for name, body in configuration.resources_of_type(resource_type).items():
            if body.get("public_network_access_enabled") is not False:
                violations.append(f"{resource_type}.{name} must set public_network_access_enabled = false")
    for name, body in configuration.resources_of_type("azurerm_key_vault").items():
        if first_block(body.get("network_acls")).get("default_action") != "Deny":
            violations.append(f"azurerm_key_vault.{name} must set network_acls.default_action = \"Deny\"")
    for name, body in configuration.resources_of_type("azurerm_postgresql_flexible_server").items():
        if not body.get("delegated_subnet_id"):
            violations.append(f"azurerm_postgresql_flexible_server.{name} must use private access (delegated_subnet_id)")
        if first_block(body.get("authentication")).get("password_auth_enabled") is not False:
            violations.append(f"azurerm_postgresql_flexible_server.{name} must set authentication.password_auth_enabled = false")
    return violations


def transport_violations(configuration: Configuration) -> list[str]:
    """Web apps accept HTTPS only with TLS 1.2 or higher; PostgreSQL requires TLS 1.2 or higher."""
    violations = []
    for resource_type in WEB_APP_TYPES:
        for name, body in configuration.resources_of_type(resource_type).items():
            site = first_block(body.get("site_config"))
            if body.get("https_only") is not True:
                violations.append(f"{resource_type}.{name} must set https_only = true")
            for setting in ("minimum_tls_version", "scm_minimum_tls_version"):
                if site.get(setting) not in ACCEPTED_TLS_VERSIONS:
                    violations.append(f"{resource_type}.{name} must set site_config.{setting} to 1.2 or 1.3, not {site.get(setting)!r}")
            if site.get("ftps_state") != "Disabled":
                violations.append(f"{resource_type}.{name} must set site_config.ftps_state = \"Disabled\"")
    for name, body in _authentication_settings(configuration).items():
        http_settings = body.get("body", {}).get("properties", {}).get("httpSettings", {})
        if http_settings.get("requireHttps") is not True:
            violations.append(f"authsettingsV2 resource {name} must set httpSettings.requireHttps = true")
    servers = configuration.resources_of_type("azurerm_postgresql_flexible_server")
    if servers:
        parameters = _postgresql_parameters(configuration)
        if parameters.get("require_secure_transport") != "on":
            violations.append("PostgreSQL parameter require_secure_transport must be \"on\"")
        if parameters.get("ssl_min_protocol_version") not in ACCEPTED_POSTGRESQL_TLS_VERSIONS:
            violations.append("PostgreSQL parameter ssl_min_protocol_version must be TLSv1.2 or TLSv1.3")
    return violations


def app_authentication_violations(configuration: Configuration) -> list[str]:
    """An app module's App Service authentication requires sign-in or a token, and azurerm cannot undo it."""
    violations = []
    settings = _authentication_settings(configuration)
    if not settings:
        return ["no azapi_update_resource writes authsettingsV2"]
    for name, body in settings.items():
        properties = body.get("body", {}).get("properties", {})
        validation = properties.get("globalValidation", {})
        if properties.get("platform", {}).get("enabled") is not True:
            violations.append(f"authsettingsV2 resource {name} must set platform.enabled = true")
        if validation.get("requireAuthentication") is not True:
            violations.append(f"authsettingsV2 resource {name} must set globalValidation.requireAuthentication = true")
        action = str(validation.get("unauthenticatedClientAction", ""))
        if "AllowAnonymous" in action or not ("RedirectToLoginPage" in action or "Return401" in action):
            violations.append(f"authsettingsV2 resource {name} must answer unauthenticated requests with RedirectToLoginPage or Return401, not {action!r}")
    for resource_type in WEB_APP_TYPES:
        for name, body in configuration.resources_of_type(resource_type).items():
            ignored = first_block(body.get("lifecycle")).get("ignore_changes", [])
            if "auth_settings_v2" not in ignored:
                violations.append(f"{resource_type}.{name} must ignore changes to auth_settings_v2, which azapi manages")
    return violations


def gateway_violations(example: Configuration, gateway_pattern: bool) -> list[str]:
    """Public apps sit behind App Service authentication (or a documented exemption); private apps check bearer tokens."""
    violations = []
    exempted = " ".join(str(body.get("resource_id", "")) for body in example.resources_of_type("azurerm_resource_policy_exemption").values())
    for name, call in _app_calls(example).items():
        authentication = call.get("authentication", {})
        mode = authentication.get("mode")
        if call.get("public_network_access") is True:
            if gateway_pattern and mode != "login":
                violations.append(f"module.{name} is the gateway of this pattern and must use authentication mode \"login\", not {mode!r}")
            if mode == "code" and f"module.{name}.id" not in exempted:
                violations.append(f"module.{name} signs users in itself; add a policy exemption that says so")
        else:
            if call.get("public_network_access") is not False:
                violations.append(f"module.{name} must set public_network_access to a literal true or false")
            if mode != "bearer" or not authentication.get("allowed_applications"):
                violations.append(f"module.{name} is private and must use mode \"bearer\" with allowed_applications")
            if not call.get("private_endpoint"):
                violations.append(f"module.{name} is private and needs a private_endpoint")
    return violations


def app_role_violations(identity: Configuration) -> list[str]:
    """The api registration defines the user and application roles, the Chat scope and v2 tokens."""
    violations = []
    api = identity.resources_of_type("azuread_application").get("api")
    if api is None:
        return ["azuread_application.api is missing"]
    roles = _app_roles(identity, api)
    for role in USER_ROLES:
        if roles.get(role) != ["User"]:
            violations.append(f"api app role {role} must exist for member type User, found {roles.get(role)!r}")
    for role in APPLICATION_ROLES:
        if roles.get(role) != ["Application"]:
            violations.append(f"api app role {role} must exist for member type Application, found {roles.get(role)!r}")
    api_block = first_block(api.get("api"))
    scopes = [scope.get("value") for scope in api_block.get("oauth2_permission_scope", [])]
    if "Chat" not in scopes:
        violations.append("api registration must expose the delegated scope Chat")
    if api_block.get("requested_access_token_version") != 2:
        violations.append("api registration must request v2.0 access tokens")
    principal = identity.resources_of_type("azuread_service_principal").get("api", {})
    if principal.get("app_role_assignment_required") is not True:
        violations.append("api service principal must set app_role_assignment_required = true")
    return violations


def secret_violations(configuration: Configuration) -> list[str]:
    """Secrets reach apps only as Key Vault references; no literal secret; outputs with secrets are sensitive."""
    violations = []
    for name, call in _app_calls(configuration).items():
        for key in configuration.object_entries(call.get("app_settings")):
            if APP_SETTING_SECRET_NAME.search(key):
                violations.append(f"module.{name} app setting {key} looks like a secret; pass it in key_vault_secrets")
        for key, value in configuration.object_entries(call.get("key_vault_secrets")).items():
            if not is_expression(value):
                violations.append(f"module.{name} key_vault_secrets.{key} must reference a Key Vault secret URI, not the literal {value!r}")
    for (resource_type, name), body in configuration.resources.items():
        for path, value in _literal_secret_attributes(body):
            violations.append(f"{resource_type}.{name}.{path} holds a literal; read it from Key Vault")
    for name, call in configuration.modules.items():
        for path, value in _literal_secret_attributes(call):
            violations.append(f"module.{name}.{path} holds a literal; read it from Key Vault")
    for name, output in configuration.outputs.items():
        if SECRET_OUTPUT_VALUE.search(str(output.get("value", ""))) and output.get("sensitive") is not True:
            violations.append(f"output {name} carries a secret and must set sensitive = true")
    return violations


def key_vault_reference_violations(app_module: Configuration) -> list[str]:
    """The app module turns every key_vault_secrets entry into a Key Vault reference and rejects secret-like app_settings."""
    violations = []
    references = str(app_module.locals.get("key_vault_references", ""))
    if "@Microsoft.KeyVault(SecretUri=" not in references or "var.key_vault_secrets" not in references:
        violations.append("local.key_vault_references must build @Microsoft.KeyVault(SecretUri=...) from var.key_vault_secrets")
    for name, body in app_module.resources_of_type("azurerm_linux_web_app").items():
        if body.get("app_settings") != "${local.app_settings}":
            violations.append(f"azurerm_linux_web_app.{name} must take its settings from local.app_settings")
    validations = app_module.variables.get("app_settings", {}).get("validation", [])
    if not any("SECRET" in str(rule.get("condition", "")) and "PASSWORD" in str(rule.get("condition", "")) for rule in validations):
        violations.append("variable app_settings must reject names that contain SECRET or PASSWORD")
    return violations


def _authentication_settings(configuration: Configuration) -> dict[str, dict]:
    """Return the azapi resources that write a site's authsettingsV2, by name."""
    settings = {}
    for resource_type in ("azapi_resource", "azapi_update_resource"):
        for name, body in configuration.resources_of_type(resource_type).items():
            if body.get("name") == "authsettingsV2":
                settings[name] = body
    return settings


def _postgresql_parameters(configuration: Configuration) -> dict[str, object]:
    parameters: dict[str, object] = {}
    for body in configuration.resources_of_type("azurerm_postgresql_flexible_server_configuration").values():
        if "for_each" in body:
            parameters.update(configuration.object_entries(body["for_each"]))
        elif not is_expression(body.get("name")):
            parameters[body.get("name")] = body.get("value")
    return parameters


def _app_calls(configuration: Configuration) -> dict[str, dict]:
    return {name: body for name, body in configuration.modules.items() if str(body.get("source", "")).endswith("modules/app")}


def _app_roles(identity: Configuration, api: dict) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {}
    for role in api.get("app_role", []):
        roles[role.get("value")] = role.get("allowed_member_types")
    for dynamic in api.get("dynamic", []):
        for block_name, block in dynamic.items():
            if block_name != "app_role":
                continue
            for key, role in identity.object_entries(block.get("for_each")).items():
                roles[key] = role.get("member_types") if isinstance(role, dict) else None
    return roles


def _literal_secret_attributes(body: object, path: str = ""):
    """Yield (path, value) for attributes whose name suggests a secret and whose value is a non-empty literal string."""
    if isinstance(body, list):
        for item in body:
            yield from _literal_secret_attributes(item, path)
        return
    if not isinstance(body, dict):
        return
    for key, value in body.items():
        child = f"{path}.{key}" if path else key
        if isinstance(value, (dict, list)):
            yield from _literal_secret_attributes(value, child)
        elif isinstance(value, str) and value and not is_expression(value) and SECRET_NAME.search(key) and not SECRET_METADATA_NAME.search(key):
            yield child, value
