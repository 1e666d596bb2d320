# Private DNS zones resolve each service's public name to its private address
# inside the network. PostgreSQL private access needs a zone whose name ends in
# ".postgres.database.azure.com"; the other two are the privatelink zones.

locals {
  private_dns_zones = {
    app_service = "privatelink.azurewebsites.net"
    key_vault   = "privatelink.vaultcore.azure.net"
    postgresql  = "${var.name_prefix}.private.postgres.database.azure.com"
  }
}

resource "azurerm_private_dns_zone" "this" {
  for_each            = local.private_dns_zones
  name                = each.value
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  for_each              = local.private_dns_zones
  name                  = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  resource_group_name   = var.resource_group_name
  private_dns_zone_name = azurerm_private_dns_zone.this[each.key].name
  virtual_network_id    = azurerm_virtual_network.this.id
  registration_enabled  = false
  tags                  = var.tags
}
