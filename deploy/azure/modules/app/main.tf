# One Moat component on App Service for Linux, as a container: its own plan,
# a system-assigned managed identity (Key Vault references, registry pulls),
# outbound traffic through the virtual network, HTTPS and TLS 1.2 only.

locals {
  # A pinned version makes a rotation change the setting, which restarts the app.
  key_vault_references = {
    for name, uri in var.key_vault_secrets :
    name => "@Microsoft.KeyVault(SecretUri=${trimsuffix(uri, "/")}${contains(keys(var.key_vault_secret_versions), name) ? "/${var.key_vault_secret_versions[name]}" : ""})"
  }

  # Settings every Moat container needs on App Service: the port the platform
  # forwards to, a bind address reachable from the platform's front ends, and
  # the persistent /home share that all instances mount, where Moat's data
  # folder lives.
  platform_settings = {
    WEBSITES_PORT                       = tostring(var.port)
    WEBSITES_ENABLE_APP_SERVICE_STORAGE = "true"
    MOAT_HOST                           = "0.0.0.0"
  }

  app_settings = merge(var.app_settings, local.platform_settings, local.key_vault_references)
}

resource "azurerm_service_plan" "this" {
  name                   = "${var.name}-plan"
  location               = var.location
  resource_group_name    = var.resource_group_name
  os_type                = "Linux"
  sku_name               = var.sku_name
  worker_count           = var.worker_count
  zone_balancing_enabled = var.worker_count >= 2
  tags                   = var.tags

  #checkov:skip=CKV_AZURE_212:worker_count defaults to 1 because Moat keeps SQLite files on the /home share (safe with one writer) and web sessions in one process's memory; set 2 or more once Moat stores data in PostgreSQL.
  #checkov:skip=CKV_AZURE_225:Zone balancing needs 2 or more instances and is on whenever worker_count is 2 or more; the default of 1 instance follows from Moat's single-writer SQLite store.
}

resource "azurerm_linux_web_app" "this" {
  name                                           = var.name
  location                                       = var.location
  resource_group_name                            = var.resource_group_name
  service_plan_id                                = azurerm_service_plan.this.id
  https_only                                     = true
  public_network_access_enabled                  = var.public_network_access
  virtual_network_subnet_id                      = var.integration_subnet_id
  vnet_image_pull_enabled                        = true
  client_affinity_enabled                        = false
  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false
  app_settings                                   = local.app_settings
  tags                                           = var.tags

  #checkov:skip=CKV_AZURE_17:Client certificates are not used: browsers authenticate with Entra ID and service callers with bearer tokens, both checked by App Service authentication and by Moat.
  #checkov:skip=CKV_AZURE_13:Authentication is configured in azapi_update_resource.authentication (authsettingsV2), which checkov does not read; mode "code" apps authenticate in Moat itself and are exempted from the policy by name.
  #checkov:skip=CKV_AZURE_88:Moat's data folder lives on the built-in /home share (WEBSITES_ENABLE_APP_SERVICE_STORAGE); an Azure Files mount would put a storage account key into the site configuration, outside Key Vault.
  #checkov:skip=CKV_AZURE_222:The app that users reach (sign-in, chat) must accept internet traffic; the api sets public_network_access = false, which tests/terraform asserts.

  identity {
    type = "SystemAssigned"
  }

  site_config {
    always_on                               = true
    http2_enabled                           = true
    ftps_state                              = "Disabled"
    minimum_tls_version                     = "1.2"
    scm_minimum_tls_version                 = "1.2"
    remote_debugging_enabled                = false
    vnet_route_all_enabled                  = true
    health_check_path                       = var.health_check_path
    health_check_eviction_time_in_min       = 5
    app_command_line                        = var.startup_command
    container_registry_use_managed_identity = var.container_registry_id != null

    application_stack {
      docker_image_name   = var.container_image
      docker_registry_url = var.container_registry_url
    }
  }

  logs {
    detailed_error_messages = true
    failed_request_tracing  = true

    http_logs {
      file_system {
        retention_in_days = 7
        retention_in_mb   = 35
      }
    }
  }

  lifecycle {
    # azapi_update_resource.authentication owns the authentication settings. Without
    # this, a later apply would write the provider's empty auth_settings_v2
    # back and turn authentication off.
    ignore_changes = [auth_settings, auth_settings_v2]
  }
}
