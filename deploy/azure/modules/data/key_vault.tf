# Key Vault holds every secret the apps read. Access is Azure RBAC only, and
# the vault is reachable only through its private endpoint. Terraform must
# therefore run from a machine that resolves and reaches the private endpoint
# (a runner inside the virtual network or a peered one).

resource "azurerm_key_vault" "this" {
  name                          = local.key_vault_name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  tenant_id                     = var.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true
  public_network_access_enabled = false
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  tags                          = var.tags

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

resource "azurerm_private_endpoint" "key_vault" {
  name                = "${azurerm_key_vault.this.name}-pe"
  location            = var.location
  resource_group_name = var.resource_group_name
  subnet_id           = var.subnet_ids.endpoints
  tags                = var.tags

  private_service_connection {
    name                           = "key-vault"
    private_connection_resource_id = azurerm_key_vault.this.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "key-vault"
    private_dns_zone_ids = [var.private_dns_zone_ids.key_vault]
  }
}

resource "azurerm_role_assignment" "deployer_secrets" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = var.deployer_object_id
}

resource "azurerm_role_assignment" "deployer_certificates" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Certificates Officer"
  principal_id         = var.deployer_object_id
}

# Azure RBAC assignments take effect after a delay (often under a minute,
# sometimes several), during which Key Vault answers 403. Callers write
# secrets only after this wait: output key_vault_id depends on it.
resource "time_sleep" "deployer_role_propagation" {
  create_duration = var.role_propagation_wait

  depends_on = [
    azurerm_role_assignment.deployer_secrets,
    azurerm_role_assignment.deployer_certificates,
  ]
}
