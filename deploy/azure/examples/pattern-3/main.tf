# Pattern 3: web (BFF) then api. The web app signs users in itself
# (authorization code + PKCE) and calls the api with the user's delegated
# access token; the api checks the token, the Chat scope, the app role and
# the calling app. The api has no public endpoint.

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
  pattern = 3
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
  source           = "../../modules/identity"
  name_prefix      = var.name_prefix
  name_suffix      = local.suffix
  owner_object_ids = [data.azurerm_client_config.current.object_id]
  # Entra ID returns the browser after sign-out only to a registered redirect
  # URI, and Moat's web tier sends /auth/signed-out as post_logout_redirect_uri.
  web_redirect_uris          = ["${local.web_url}/auth/callback", "${local.web_url}/auth/signed-out"]
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

  # Moat's web tier runs the OpenID Connect sign-in itself.
  authentication = {
    mode = "code"
  }

  app_settings = {
    MOAT_WEB_PORT            = "8080"
    MOAT_WEB_PUBLIC_BASE_URL = local.web_url
    MOAT_WEB_CLIENT_ID       = module.identity.web_client_id
    MOAT_WEB_API_SCOPE       = module.identity.api_chat_scope
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

  # Assigned after the apps exist, so that the first writes of their
  # configuration happen before authentication settings can be checked.
  depends_on = [module.api, module.web]
}

# The web tier authenticates users in code, not with App Service
# authentication, so the web-app policy would deny its configuration.
resource "azurerm_resource_policy_exemption" "web_signs_in_with_code" {
  name                 = "web-signs-in-with-oidc-code-flow"
  resource_id          = module.web.id
  policy_assignment_id = module.policy.web_app_authentication_assignment_id
  exemption_category   = "Mitigated"
  display_name         = "Moat web signs users in with OpenID Connect (authorization code + PKCE)"
  description          = "The BFF runs the sign-in itself and sends only the user's access token to the private api, which validates it; App Service authentication would intercept the BFF's own callback."
}
