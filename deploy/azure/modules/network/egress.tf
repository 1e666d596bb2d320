# Outbound internet traffic of the app tiers (Entra ID, the model endpoint,
# the container registry) leaves through one NAT gateway with a static
# address, because the subnets have default outbound access off and the apps
# route all traffic through the virtual network. The fixed address is also
# what a model provider's allow list needs.

resource "azurerm_public_ip" "egress" {
  name                = "${var.name_prefix}-egress-ip"
  location            = var.location
  resource_group_name = var.resource_group_name
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = var.egress_ip_zones
  tags                = var.tags
}

resource "azurerm_nat_gateway" "egress" {
  name                    = "${var.name_prefix}-egress"
  location                = var.location
  resource_group_name     = var.resource_group_name
  sku_name                = "Standard"
  idle_timeout_in_minutes = 10
  tags                    = var.tags
}

resource "azurerm_nat_gateway_public_ip_association" "egress" {
  nat_gateway_id       = azurerm_nat_gateway.egress.id
  public_ip_address_id = azurerm_public_ip.egress.id
}

resource "azurerm_subnet_nat_gateway_association" "web" {
  subnet_id      = azurerm_subnet.web.id
  nat_gateway_id = azurerm_nat_gateway.egress.id
}

resource "azurerm_subnet_nat_gateway_association" "app" {
  subnet_id      = azurerm_subnet.app.id
  nat_gateway_id = azurerm_nat_gateway.egress.id
}
