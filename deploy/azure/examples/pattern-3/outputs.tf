output "web_url" {
  description = "Address users open to sign in."
  value       = module.web.url
}

output "api_private_hostname" {
  description = "Host name of the api; it resolves to the private endpoint inside the virtual network only."
  value       = module.api.default_hostname
}

output "tenant_id" {
  description = "Entra ID tenant of the app registrations."
  value       = module.identity.tenant_id
}

output "web_client_id" {
  description = "Client id of the web registration."
  value       = module.identity.web_client_id
}

output "api_client_id" {
  description = "Client id of the api registration."
  value       = module.identity.api_client_id
}

output "api_chat_scope" {
  description = "Delegated scope the web app requests."
  value       = module.identity.api_chat_scope
}

output "key_vault_uri" {
  description = "Key Vault that holds the apps' secrets."
  value       = module.data.key_vault_uri
}

output "postgresql_fqdn" {
  description = "Private host name of the PostgreSQL server."
  value       = module.data.postgresql_fqdn
}

output "log_analytics_workspace_id" {
  description = "Workspace with the apps' logs and the data tier's diagnostic logs."
  value       = module.data.log_analytics_workspace_id
}

output "key_vault_name" {
  description = "Name of the Key Vault, for `az keyvault secret set --vault-name`."
  value       = module.data.key_vault_name
}

output "resource_group_name" {
  description = "Resource group that holds every resource of this deployment."
  value       = azurerm_resource_group.this.name
}

output "virtual_network_id" {
  description = "Resource id of the virtual network, for peering the Terraform runner's network to it."
  value       = module.network.virtual_network_id
}

output "virtual_network_name" {
  description = "Name of the virtual network."
  value       = module.network.virtual_network_name
}

output "private_dns_zone_ids" {
  description = "Resource ids of the private DNS zones (app_service, key_vault, postgresql); link them to the runner's network so that it resolves the private endpoints."
  value       = module.network.private_dns_zone_ids
}

output "egress_ip_address" {
  description = "Public address of the NAT gateway that the apps' outbound traffic leaves from, for a model provider's allow list."
  value       = module.network.egress_ip_address
}

output "api_app_name" {
  description = "Name of the api app, for `az webapp restart` after the model key changes outside Terraform."
  value       = module.api.name
}
