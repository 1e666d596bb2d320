# PostgreSQL flexible server with private access: the server lives in the
# delegated data subnet and has no public endpoint. Only Entra ID sign-in is
# allowed, so there is no administrator password to store.

resource "azurerm_postgresql_flexible_server" "this" {
  name                          = local.postgresql_server_name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  version                       = "16"
  sku_name                      = var.postgresql_sku_name
  storage_mb                    = var.postgresql_storage_mb
  auto_grow_enabled             = true
  delegated_subnet_id           = var.subnet_ids.data
  private_dns_zone_id           = var.private_dns_zone_ids.postgresql
  public_network_access_enabled = false
  backup_retention_days         = 35
  geo_redundant_backup_enabled  = true
  zone                          = var.postgresql_zones.primary
  tags                          = var.tags

  #checkov:skip=CKV2_AZURE_57:The server uses private access (VNet injection into the delegated data subnet) with public network access disabled; Azure allows a private endpoint only on servers created with public access.

  authentication {
    active_directory_auth_enabled = true
    password_auth_enabled         = false
    tenant_id                     = var.tenant_id
  }

  dynamic "high_availability" {
    for_each = var.postgresql_high_availability ? [1] : []
    content {
      mode                      = "ZoneRedundant"
      standby_availability_zone = var.postgresql_zones.standby
    }
  }

  # Azure may swap the primary and standby zones after a failover.
  lifecycle {
    ignore_changes = [zone, high_availability[0].standby_availability_zone]
  }
}

resource "azurerm_postgresql_flexible_server_active_directory_administrator" "this" {
  server_name         = azurerm_postgresql_flexible_server.this.name
  resource_group_name = var.resource_group_name
  tenant_id           = var.tenant_id
  object_id           = var.postgresql_administrator.object_id
  principal_name      = var.postgresql_administrator.principal_name
  principal_type      = var.postgresql_administrator.principal_type
}

resource "azurerm_postgresql_flexible_server_database" "moat" {
  name      = "moat"
  server_id = azurerm_postgresql_flexible_server.this.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

# Server parameters of the transport and connection baseline.
locals {
  postgresql_parameters = {
    require_secure_transport = "on"
    ssl_min_protocol_version = "TLSv1.2"
    log_connections          = "on"
    log_disconnections       = "on"
    log_checkpoints          = "on"
  }
}

resource "azurerm_postgresql_flexible_server_configuration" "this" {
  for_each  = local.postgresql_parameters
  name      = each.key
  server_id = azurerm_postgresql_flexible_server.this.id
  value     = each.value
}
