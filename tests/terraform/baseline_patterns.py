"""Checks of what docs/deploy-azure.md promises about each pattern and module.

Each check returns a list of violations, one sentence each that names the
resource and the fix; an empty list passes.
"""

from __future__ import annotations

import re

from hcl_expression import EvaluationError, UnsupportedExpression, evaluate_template
from terraform_source import Configuration, first_block, is_expression, module_calls

ACCEPTED_POLICY_EFFECTS = ("Deny", "Audit")
GRAPH_SIGN_IN_SCOPES = ("openid", "profile", "offline_access", "User.Read")
_KEYS_OF_LOCAL = re.compile(r"^\$\{keys\(local\.([A-Za-z_][A-Za-z0-9_]*)\)\}$")
_MOAT_VARIABLE = re.compile(r"\"(MOAT_[A-Z0-9_]+)\"")


def private_api_violations(example: Configuration) -> list[str]:
    """The api of patterns 2 and 3 has no public endpoint: private endpoint only, bearer tokens from the web app."""
    api = module_calls(example, "modules/app").get("api")
    if api is None:
        return ["module.api is missing; patterns 2 and 3 run the api as its own app"]
    violations = []
    if api.get("public_network_access") is not False:
        violations.append(f"module.api must set public_network_access = false, not {api.get('public_network_access')!r}; the docs promise a private api")
    if not api.get("private_endpoint"):
        violations.append("module.api needs a private_endpoint, the only way the web app reaches it")
    authentication = api.get("authentication", {})
    if authentication.get("mode") != "bearer":
        violations.append(f"module.api must use authentication mode \"bearer\", not {authentication.get('mode')!r}")
    if authentication.get("allowed_applications") != ["${module.identity.web_client_id}"]:
        violations.append(f"module.api must accept tokens from the web app only: allowed_applications = [module.identity.web_client_id], not {authentication.get('allowed_applications')!r}")
    return violations


def excluded_path_violations(configuration: Configuration) -> list[str]:
    """App Service authentication may skip only named paths such as /healthz, never a wildcard or the root."""
    candidates: list[tuple[str, object]] = []
    for name, call in module_calls(configuration, "modules/app").items():
        paths = call.get("authentication", {}).get("excluded_paths") if isinstance(call.get("authentication"), dict) else None
        if paths is not None:
            candidates.append((f"module.{name} authentication.excluded_paths", paths))
    variable = configuration.variables.get("authentication")
    if variable is not None:
        match = re.search(r"excluded_paths\s*=\s*optional\(list\(string\),\s*(\[[^\]]*\])", str(variable.get("type", "")))
        if match:
            candidates.append(("variable authentication excluded_paths default", re.findall(r'"([^"]*)"', match.group(1))))
    violations = []
    for origin, paths in candidates:
        if not isinstance(paths, list):
            violations.append(f"{origin} must be a literal list so that it can be checked, not {paths!r}")
            continue
        for path in paths:
            if not isinstance(path, str) or not path.startswith("/") or path == "/" or "*" in path:
                violations.append(f"{origin} contains {path!r}, which lets unauthenticated requests through; exclude single paths such as \"/healthz\"")
    return violations


def policy_effect_violations(example: Configuration) -> list[str]:
    """The example assigns the policies with Deny by default; Audit only when someone sets it, never Disabled."""
    calls = module_calls(example, "modules/policy")
    if len(calls) != 1:
        return [f"the example must call modules/policy once, found {len(calls)} calls"]
    effect = next(iter(calls.values())).get("effect")
    if effect is None:
        return []
    if not is_expression(effect):
        if effect not in ACCEPTED_POLICY_EFFECTS:
            return [f"module.policy effect = {effect!r} switches the policies off; use \"Deny\", or \"Audit\" for a first rollout"]
        return []
    if effect != "${var.policy_effect}":
        return [f"module.policy effect must be a literal or var.policy_effect, not {effect!r}"]
    variable = example.variables.get("policy_effect")
    if variable is None:
        return ["variable policy_effect is missing"]
    violations = []
    if variable.get("default") != "Deny":
        violations.append(f"variable policy_effect must default to \"Deny\", not {variable.get('default')!r}; Audit is for an explicit first rollout")
    for value, accepted in (("Deny", True), ("Audit", True), ("Disabled", False), ("AuditIfNotExists", False)):
        verdict = validation_accepts(variable, "var.policy_effect", value)
        if verdict != accepted:
            violations.append(f"variable policy_effect validation must {'accept' if accepted else 'reject'} {value!r}")
    return violations


def validation_accepts(variable: dict, reference: str, value: object) -> bool:
    """Evaluate every validation condition of a variable for value; True when all pass."""
    def resolve(name: str) -> object:
        if name == reference:
            return value
        raise UnsupportedExpression(f"validation refers to {name}, which the test does not bind")

    for rule in variable.get("validation", []):
        try:
            if evaluate_template(str(rule.get("condition")), resolve) is not True:
                return False
        except EvaluationError:
            return False
    return True


def web_principal_violations(identity: Configuration) -> list[str]:
    """Only assigned users and groups may sign in to the web app: its service principal requires assignment."""
    principal = identity.resources_of_type("azuread_service_principal").get("web", {})
    if principal.get("app_role_assignment_required") is not True:
        return ["azuread_service_principal.web must set app_role_assignment_required = true, otherwise every user in the tenant can sign in"]
    return []


def graph_consent_violations(identity: Configuration) -> list[str]:
    """Admin consent covers the Graph scopes every sign-in requests, so users see no consent prompt."""
    for name, grant in identity.resources_of_type("azuread_service_principal_delegated_permission_grant").items():
        if "graph" not in str(grant.get("resource_service_principal_object_id", "")):
            continue
        claims = grant.get("claim_values")
        match = _KEYS_OF_LOCAL.match(str(claims))
        if match:
            claims = list(identity.object_entries(identity.locals.get(match.group(1))))
        missing = [scope for scope in GRAPH_SIGN_IN_SCOPES if scope not in (claims or [])]
        if missing:
            return [f"azuread_service_principal_delegated_permission_grant.{name} must grant {', '.join(missing)} on Microsoft Graph"]
        return []
    return ["no delegated permission grant on Microsoft Graph; grant admin consent for " + ", ".join(GRAPH_SIGN_IN_SCOPES)]


def runner_access_violations(network: Configuration) -> list[str]:
    """The Terraform runner's ranges may reach Key Vault (443, endpoints subnet) and PostgreSQL (5432, data subnet)."""
    violations = []
    for group, port in (("endpoints", "443"), ("data", "5432")):
        body = network.resources_of_type("azurerm_network_security_group").get(group, {})
        rules = [first_block(dynamic.get("security_rule", {}).get("content")) for dynamic in body.get("dynamic", [])]
        allowed = [rule for rule in rules if rule.get("access") == "Allow" and rule.get("destination_port_range") == port
                   and rule.get("source_address_prefixes") == "${var.runner_address_prefixes}"]
        if not allowed:
            violations.append(f"azurerm_network_security_group.{group} must allow port {port} from var.runner_address_prefixes; its deny rule covers peered networks and VPN pools")
        elif not all(int(rule.get("priority", 4000)) < 4000 for rule in allowed):
            violations.append(f"azurerm_network_security_group.{group} runner rule must have a priority below the deny rule's 4000")
    return violations


def known_moat_variables(swift_source: str) -> set[str]:
    """Return every MOAT_* name that MoatConfiguration+Environment.swift reads or lists as known."""
    return set(_MOAT_VARIABLE.findall(swift_source))


def moat_variable_violations(configuration: Configuration, known: set[str]) -> list[str]:
    """Moat rejects an unknown MOAT_* variable at start-up, so Terraform may set only names Moat reads."""
    names: list[tuple[str, str]] = []
    for name, call in module_calls(configuration, "modules/app").items():
        for attribute in ("app_settings", "key_vault_secrets"):
            names += [(f"module.{name} {attribute}", key) for key in configuration.object_entries(call.get(attribute))]
    for local_name, value in configuration.locals.items():
        names += [(f"local.{local_name}", key) for key in configuration.object_entries(value)]
    return [
        f"{origin} sets {key}, which Moat does not read and rejects at start-up; use a name from Sources/MoatConfig/MoatConfiguration+Environment.swift"
        for origin, key in names
        if key.startswith("MOAT_") and key not in known
    ]


APP_SERVICE_FRONT_DOOR = "app-service"
USER_CONTEXT_KEYS_PATH = "/.well-known/moat-user-context-keys"


def front_door_violations(example: Configuration) -> list[str]:
    """Each app behind App Service sign-in (mode login) runs Moat's web tier with web.front_door = app-service.

    Moat's default front door is moat gateway, whose signed assertion App Service never sends, so
    without the setting every request would get 401.
    """
    violations = []
    for name, call in module_calls(example, "modules/app").items():
        authentication = call.get("authentication")
        if not isinstance(authentication, dict) or authentication.get("mode") != "login":
            continue
        entries = example.object_entries(call.get("app_settings"))
        if entries.get("MOAT_WEB_FRONT_DOOR") != APP_SERVICE_FRONT_DOOR:
            violations.append(
                f"module.{name} signs users in with App Service authentication, so its app_settings must set "
                f"MOAT_WEB_FRONT_DOOR = \"{APP_SERVICE_FRONT_DOOR}\", not {entries.get('MOAT_WEB_FRONT_DOOR')!r}"
            )
        if "MOAT_WEB_CLIENT_ID" not in entries:
            violations.append(f"module.{name} must set MOAT_WEB_CLIENT_ID, the audience of the ID token App Service forwards")
    return violations


def token_store_violations(app_module: Configuration) -> list[str]:
    """In mode login the token store is on, because Moat trusts only the tokens it forwards (X-MS-TOKEN-AAD-*)."""
    resource = app_module.resources_of_type("azapi_update_resource").get("authentication")
    if resource is None:
        return ["modules/app has no azapi_update_resource.authentication; App Service authentication is not configured"]
    body = resource.get("body")
    store = body.get("properties", {}).get("login", {}).get("tokenStore", {}) if isinstance(body, dict) else {}
    enabled = store.get("enabled") if isinstance(store, dict) else None
    login_mode = app_module.locals.get("login_mode")
    if enabled is True or (enabled == "${local.login_mode}" and login_mode == '${var.authentication.mode == "login"}'):
        return []
    return [
        "azapi_update_resource.authentication must set properties.login.tokenStore.enabled for mode login "
        f"(found {enabled!r}); without the token store App Service forwards no X-MS-TOKEN-AAD-* header and Moat rejects every request"
    ]


def api_scope_at_sign_in_violations(example: Configuration, module: str = "app") -> list[str]:
    """The sign-in in front of Moat's web tier (module `app` in pattern 1, `web` in
    pattern 2) requests the api's Chat scope, so the token store contains an access
    token for the api that carries the user's roles."""
    app = module_calls(example, "modules/app").get(module, {})
    scopes = app.get("authentication", {}).get("login_scopes", []) if isinstance(app.get("authentication"), dict) else []
    if "${module.identity.api_chat_scope}" in (scopes or []):
        return []
    return [f"module.{module} authentication.login_scopes must contain module.identity.api_chat_scope, not {scopes!r}; "
            "otherwise the forwarded access token is Microsoft Graph's and Moat rejects it"]


def user_context_key_violations(example: Configuration) -> list[str]:
    """Pattern 2's api can fetch the web tier's user context key: the path is open and the api is given the web URL."""
    calls = module_calls(example, "modules/app")
    web, api = calls.get("web", {}), calls.get("api", {})
    violations = []
    paths = web.get("authentication", {}).get("excluded_paths", []) if isinstance(web.get("authentication"), dict) else []
    if USER_CONTEXT_KEYS_PATH not in (paths or []):
        violations.append(f"module.web authentication.excluded_paths must contain {USER_CONTEXT_KEYS_PATH!r}, "
                          f"where the api fetches the user context key without a user; found {paths!r}")
    if example.object_entries(api.get("app_settings")).get("MOAT_WEB_PUBLIC_BASE_URL") != "${local.web_url}":
        violations.append("module.api app_settings must set MOAT_WEB_PUBLIC_BASE_URL = local.web_url, "
                          "the user context's issuer and where its key is published")
    for variable, command in (("web_command", "moat web --pattern 2"), ("api_command", "moat api --pattern 2")):
        default = example.variables.get(variable, {}).get("default")
        if default != command:
            violations.append(f"variable {variable} must default to {command!r}, not {default!r}")
    return violations
