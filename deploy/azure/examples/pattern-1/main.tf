# Pattern 1: one app (chat page and api in one process) behind the gateway.
# App Service authentication signs users in and, at sign-in, also obtains an
# access token for the api registration (scope Chat), which its token store
# passes to the app in X-MS-TOKEN-AAD-ACCESS-TOKEN, with the ID token in
# X-MS-TOKEN-AAD-ID-TOKEN. Moat's web tier (web.front_door = "app-service")
# trusts those signed tokens, never the unsigned X-MS-CLIENT-PRINCIPAL
# headers, and validates the access token exactly as the api of patterns 2
# and 3 does, so roles come from the api registration.

data "azurerm_client_config" "current" {}

resource "random_string" "suffix" {
  length  = 6
  upper   = false
  special = false
}

locals {
  suffix    = random_string.suffix.result
  app_name  = "${var.name_prefix}-app-${local.suffix}"
  app_url   = "https://${local.app_name}.azurewebsites.net"
  tenant_id = data.azurerm_client_config.current.tenant_id
  issuer    = "https://login.microsoftonline.com/${local.tenant_id}/v2.0"

  # The Moat deployment pattern of this example. Every resource carries it as
  # the tag moat-pattern, and tests/terraform picks the pattern's checks by it.
  pattern = 1
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
  web_redirect_uris          = ["${local.app_url}/.auth/login/aad/callback"]
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

module "app" {
  source                     = "../../modules/app"
  name                       = local.app_name
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
  startup_command            = var.app_command
  port                       = 8080
  key_vault_id               = module.data.key_vault_id
  log_analytics_workspace_id = module.data.log_analytics_workspace_id
  tags                       = local.tags

  # The gateway: sign-in is required, and the sign-in also requests the api's
  # Chat scope so the token store holds a token that carries the user's roles.
  authentication = {
    mode                  = "login"
    client_id             = module.identity.web_client_id
    client_secret_setting = "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET"
    login_scopes          = [module.identity.api_chat_scope]
  }

  app_settings = merge(local.llm_settings, {
    MOAT_WEB_PORT                = "8080"
    MOAT_WEB_PUBLIC_BASE_URL     = local.app_url
    MOAT_WEB_FRONT_DOOR          = "app-service"
    MOAT_WEB_CLIENT_ID           = module.identity.web_client_id
    MOAT_API_ISSUER              = local.issuer
    MOAT_API_AUDIENCES           = "${module.identity.api_client_id},${module.identity.api_identifier_uri}"
    MOAT_API_ALLOWED_CLIENT_APPS = module.identity.web_client_id
    MOAT_AUDIT_PROMPT_POLICY     = var.audit_content_policy
    MOAT_AUDIT_ANSWER_POLICY     = var.audit_content_policy
    MOAT_DATA_DIR                = "/home/moat"
    MOAT_LOG_LEVEL               = "info"
  })

  key_vault_secrets = merge(local.llm_secrets, {
    MICROSOFT_PROVIDER_AUTHENTICATION_SECRET = module.identity.web_client_secret_uri
  })

  # Rotation changes this version, which restarts the app with the new secret.
  key_vault_secret_versions = {
    MICROSOFT_PROVIDER_AUTHENTICATION_SECRET = module.identity.web_client_secret_version
  }
}

module "policy" {
  source            = "../../modules/policy"
  name_prefix       = "${var.name_prefix}-${local.suffix}"
  resource_group_id = azurerm_resource_group.this.id
  effect            = var.policy_effect

  # Assigned after the app and its authentication settings exist, so that
  # the first writes of its configuration are not denied.
  depends_on = [module.app]
}
