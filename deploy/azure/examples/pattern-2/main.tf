# Pattern 2: gateway, then web (BFF), then api. App Service authentication
# signs users in before any request reaches the web app, and its token store
# passes the user's ID token to the app in X-MS-TOKEN-AAD-ID-TOKEN. Moat's web
# tier (web.front_door = "app-service") validates that token and calls the api
# with its own client-credentials token, which carries the app role
# Chat.Invoke, and names the user in a context header it signs. The api checks
# the token, the role, the calling app and the context, whose public key it
# fetches from the web app. The api has no public endpoint.

data "azurerm_client_config" "current" {}

resource "random_string" "suffix" {
  length  = 6
  upper   = false
  special = false
}

locals {
  suffix    = random_string.suffix.result
  web_name  = "${var.name_prefix}-web-${local.suffix}"
  api_name  = "${var.name_prefix}-api-${local.suffix}"
  web_url   = "https://${local.web_name}.azurewebsites.net"
  tenant_id = data.azurerm_client_config.current.tenant_id
  issuer    = "https://login.microsoftonline.com/${local.tenant_id}/v2.0"

  # The Moat deployment pattern of this example. Every resource carries it as
  # the tag moat-pattern, and tests/terraform picks the pattern's checks by it.
  pattern = 2
  tags    = merge(var.tags, { moat-pattern = tostring(local.pattern) })
}

resource "azurerm_resource_group" "this" {
  name     = "${var.name_prefix}-${local.suffix}"
  location = var.location
  tags     = local.tags
}

module "network" {
  source              = "../../modules/network"
  name_prefix         = var.name_prefix
  location            = var.location
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.tags

  runner_address_prefixes = var.runner_address_prefixes
  egress_ip_zones         = var.availability_zones.egress_ip
}

module "data" {
  source                   = "../../modules/data"
  name_prefix              = var.name_prefix
  name_suffix              = local.suffix
  location                 = var.location
  resource_group_name      = azurerm_resource_group.this.name
  tenant_id                = local.tenant_id
  deployer_object_id       = data.azurerm_client_config.current.object_id
  postgresql_administrator = var.postgresql_administrator
  tags                     = local.tags

  postgresql_high_availability = var.postgresql_high_availability
  postgresql_zones = {
    primary = var.availability_zones.postgresql_primary
    standby = var.availability_zones.postgresql_standby
  }

  subnet_ids = {
    data      = module.network.subnet_ids.data
    endpoints = module.network.subnet_ids.endpoints
  }

  private_dns_zone_ids = {
    key_vault  = module.network.private_dns_zone_ids.key_vault
    postgresql = module.network.private_dns_zone_ids.postgresql
  }
}

module "identity" {
  source                     = "../../modules/identity"
  name_prefix                = var.name_prefix
  name_suffix                = local.suffix
  owner_object_ids           = [data.azurerm_client_config.current.object_id]
  web_redirect_uris          = ["${local.web_url}/.auth/login/aad/callback"]
  grant_chat_invoke_role     = true
  grant_delegated_chat_scope = true
  user_role_assignments      = var.user_role_assignments
  key_vault_id               = module.data.key_vault_id
}

locals {
  llm_settings = var.llm == null ? {} : {
    MOAT_LLM_ENDPOINT  = var.llm.endpoint
    MOAT_LLM_MODEL     = var.llm.model
    MOAT_LLM_CLEARANCE = var.llm.clearance
    # Azure OpenAI reads the key from an api-key header.
    MOAT_LLM_AZURE_KEY_HEADER = tostring(var.llm.azure_key_header)
  }

  llm_secrets = var.llm == null ? {} : {
    MOAT_LLM_API_KEY = "${module.data.key_vault_uri}secrets/${var.llm.api_key_secret_name}"
  }
}

module "api" {
  source                     = "../../modules/app"
  name                       = local.api_name
  location                   = var.location
  resource_group_name        = azurerm_resource_group.this.name
  tenant_id                  = local.tenant_id
  sku_name                   = var.app_service_sku_name
  worker_count               = var.worker_count
  integration_subnet_id      = module.network.subnet_ids.app
  public_network_access      = false
  container_image            = var.container_image
  container_registry_url     = var.container_registry_url
  container_registry_id      = var.container_registry_id
  startup_command            = var.api_command
  port                       = 8081
  key_vault_id               = module.data.key_vault_id
  log_analytics_workspace_id = module.data.log_analytics_workspace_id
  tags                       = local.tags

  private_endpoint = {
    subnet_id           = module.network.subnet_ids.endpoints
    private_dns_zone_id = module.network.private_dns_zone_ids.app_service
  }

  # A second, platform-side check of the bearer token before Moat's own.
  authentication = {
    mode                 = "bearer"
    client_id            = module.identity.api_client_id
    allowed_audiences    = [module.identity.api_client_id, module.identity.api_identifier_uri]
    allowed_applications = [module.identity.web_client_id]
  }

  app_settings = merge(local.llm_settings, {
    MOAT_API_PORT                = "8081"
    MOAT_API_ISSUER              = local.issuer
    MOAT_API_AUDIENCES           = "${module.identity.api_client_id},${module.identity.api_identifier_uri}"
    MOAT_API_ALLOWED_CLIENT_APPS = module.identity.web_client_id
    MOAT_AUDIT_PROMPT_POLICY     = var.audit_content_policy
    MOAT_AUDIT_ANSWER_POLICY     = var.audit_content_policy
    MOAT_DATA_DIR                = "/home/moat"
    MOAT_LOG_LEVEL               = "info"

    # Where the web tier publishes the key that signs the user context.
    MOAT_WEB_PUBLIC_BASE_URL = local.web_url
  })

  key_vault_secrets = local.llm_secrets
}

module "web" {
  source                     = "../../modules/app"
  name                       = local.web_name
  location                   = var.location
  resource_group_name        = azurerm_resource_group.this.name
  tenant_id                  = local.tenant_id
  sku_name                   = var.app_service_sku_name
  worker_count               = var.worker_count
  integration_subnet_id      = module.network.subnet_ids.web
  public_network_access      = true
  container_image            = var.container_image
  container_registry_url     = var.container_registry_url
  container_registry_id      = var.container_registry_id
  startup_command            = var.web_command
  port                       = 8080
  key_vault_id               = module.data.key_vault_id
  log_analytics_workspace_id = module.data.log_analytics_workspace_id
  tags                       = local.tags

  # The gateway: no request reaches Moat's web tier before sign-in. The
  # client secret is the same one the web tier uses for client credentials.
  # The user context keys are public keys that the api fetches without a
  # user, so App Service authentication lets that one path through. The
  # sign-in also requests the api's Chat scope: the web tier reads the user's
  # roles on the api from that token and the api checks them again in the
  # signed user context; the api itself is called with the web app's token.
  authentication = {
    mode                  = "login"
    client_id             = module.identity.web_client_id
    client_secret_setting = "MOAT_WEB_CLIENT_SECRET"
    excluded_paths        = ["/healthz", "/.well-known/moat-user-context-keys"]
    login_scopes          = [module.identity.api_chat_scope]
  }

  # Client credentials request ".default": the token carries the app roles
  # granted to the web app (Chat.Invoke), not a delegated scope.
  app_settings = {
    MOAT_WEB_PORT            = "8080"
    MOAT_WEB_PUBLIC_BASE_URL = local.web_url
    MOAT_WEB_FRONT_DOOR      = "app-service"
    MOAT_WEB_CLIENT_ID       = module.identity.web_client_id
    MOAT_API_AUDIENCES       = "${module.identity.api_client_id},${module.identity.api_identifier_uri}"
    MOAT_WEB_API_SCOPE       = module.identity.api_default_scope
    MOAT_WEB_API_URL         = module.api.url
    MOAT_API_ISSUER          = local.issuer
    MOAT_DATA_DIR            = "/home/moat"
    MOAT_LOG_LEVEL           = "info"
  }

  key_vault_secrets = {
    MOAT_WEB_CLIENT_SECRET = module.identity.web_client_secret_uri
  }

  # Rotation changes this version, which restarts the app with the new secret.
  key_vault_secret_versions = {
    MOAT_WEB_CLIENT_SECRET = module.identity.web_client_secret_version
  }
}

module "policy" {
  source            = "../../modules/policy"
  name_prefix       = "${var.name_prefix}-${local.suffix}"
  resource_group_id = azurerm_resource_group.this.id
  effect            = var.policy_effect

  # Assigned after the apps and their authentication settings exist, so that
  # the first writes of their configuration are not denied.
  depends_on = [module.api, module.web]
}
