output "key_vault_id" {
  description = "Resource id of the Key Vault, available once the deployer may write secrets and certificates and the private endpoint exists."
  value       = azurerm_key_vault.this.id

  depends_on = [
    time_sleep.deployer_role_propagation,
    azurerm_private_endpoint.key_vault,
  ]
}

output "key_vault_name" {
  description = "Name of the Key Vault, for `az keyvault secret set --vault-name`."
  value       = azurerm_key_vault.this.name
}

output "key_vault_uri" {
  description = "Data-plane URI of the Key Vault, \"https://NAME.vault.azure.net/\"."
  value       = azurerm_key_vault.this.vault_uri
}

output "log_analytics_workspace_id" {
  description = "Resource id of the Log Analytics workspace."
  value       = azurerm_log_analytics_workspace.this.id
}

output "postgresql_fqdn" {
  description = "Host name of the PostgreSQL server; it resolves to a private address inside the network only."
  value       = azurerm_postgresql_flexible_server.this.fqdn
}

output "postgresql_database" {
  description = "Name of Moat's database on the server."
  value       = azurerm_postgresql_flexible_server_database.moat.name
}
