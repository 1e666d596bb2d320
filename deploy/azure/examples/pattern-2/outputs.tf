output "web_url" {
  description = "Address users open; App Service authentication signs them in first."
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
