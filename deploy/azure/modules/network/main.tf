# One virtual network with a subnet per tier. Traffic between tiers is allowed
# only where a caller needs it: the app tiers reach private endpoints on 443
# and PostgreSQL on 5432; everything else inside the network is denied.

resource "azurerm_virtual_network" "this" {
  name                = "${var.name_prefix}-vnet"
  location            = var.location
  resource_group_name = var.resource_group_name
  address_space       = var.address_space
  tags                = var.tags
}

resource "azurerm_subnet" "web" {
  name                            = "web"
  resource_group_name             = var.resource_group_name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = [var.subnet_prefixes.web]
  default_outbound_access_enabled = false

  # App Service regional VNet integration needs a subnet delegated to server farms.
  delegation {
    name = "app-service"
    service_delegation {
      name    = "Microsoft.Web/serverFarms"
      actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
    }
  }
}

resource "azurerm_subnet" "app" {
  name                            = "app"
  resource_group_name             = var.resource_group_name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = [var.subnet_prefixes.app]
  default_outbound_access_enabled = false

  delegation {
    name = "app-service"
    service_delegation {
      name    = "Microsoft.Web/serverFarms"
      actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
    }
  }
}

resource "azurerm_subnet" "data" {
  name                            = "data"
  resource_group_name             = var.resource_group_name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = [var.subnet_prefixes.data]
  default_outbound_access_enabled = false

  # PostgreSQL flexible server with private access (VNet injection) needs its own delegated subnet.
  delegation {
    name = "postgresql"
    service_delegation {
      name    = "Microsoft.DBforPostgreSQL/flexibleServers"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_subnet" "endpoints" {
  name                            = "endpoints"
  resource_group_name             = var.resource_group_name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = [var.subnet_prefixes.endpoints]
  default_outbound_access_enabled = false

  # Without this, network security groups are not applied to private endpoints.
  private_endpoint_network_policies = "Enabled"
}
