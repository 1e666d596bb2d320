output "virtual_network_id" {
  description = "Resource id of the virtual network."
  value       = azurerm_virtual_network.this.id
}

output "subnet_ids" {
  description = "Resource id of each subnet: web, app, data, endpoints."
  value = {
    web       = azurerm_subnet.web.id
    app       = azurerm_subnet.app.id
    data      = azurerm_subnet.data.id
    endpoints = azurerm_subnet.endpoints.id
  }

  # Callers attach resources only after the security groups are in place.
  depends_on = [
    azurerm_subnet_network_security_group_association.web,
    azurerm_subnet_network_security_group_association.app,
    azurerm_subnet_network_security_group_association.data,
    azurerm_subnet_network_security_group_association.endpoints,
    azurerm_subnet_nat_gateway_association.web,
    azurerm_subnet_nat_gateway_association.app,
  ]
}

output "private_dns_zone_ids" {
  description = "Resource id of each private DNS zone: app_service, key_vault, postgresql."
  value       = { for key, zone in azurerm_private_dns_zone.this : key => zone.id }

  # A zone resolves inside the network only once it is linked.
  depends_on = [azurerm_private_dns_zone_virtual_network_link.this]
}

output "egress_ip_address" {
  description = "Public address that the app tiers' outbound traffic comes from."
  value       = azurerm_public_ip.egress.ip_address
}

output "virtual_network_name" {
  description = "Name of the virtual network, for peering a runner's network to it."
  value       = azurerm_virtual_network.this.name
}
