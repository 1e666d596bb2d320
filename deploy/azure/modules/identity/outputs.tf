output "tenant_id" {
  description = "Entra ID tenant of both registrations."
  value       = azuread_service_principal.api.application_tenant_id
}

output "api_client_id" {
  description = "Client id of the api registration: the `aud` of v2.0 access tokens for the api."
  value       = azuread_application.api.client_id
}

output "api_identifier_uri" {
  description = "App ID URI of the api, \"api://CLIENT_ID\"."
  value       = azuread_application_identifier_uri.api.identifier_uri
}

output "api_chat_scope" {
  description = "Delegated scope that the web app requests for the api (Moat's web.api_scope)."
  value       = "${azuread_application_identifier_uri.api.identifier_uri}/Chat"
}

output "api_default_scope" {
  description = "Scope of a client-credentials request for the api; the token carries the granted app roles."
  value       = "${azuread_application_identifier_uri.api.identifier_uri}/.default"
}

output "app_role_ids" {
  description = "Id of each api app role, by value."
  value       = { for value, role in random_uuid.app_role : value => role.result }
}

output "web_display_name" {
  description = "Display name of the web registration, \"PREFIX-web-SUFFIX\"."
  value       = azuread_application.web.display_name
}

output "web_client_id" {
  description = "Client id of the web registration (Moat's web.client_id, and App Service authentication's client)."
  value       = azuread_application.web.client_id
}

output "web_client_secret_uri" {
  description = "Versionless Key Vault URI of the web app's client secret, for a Key Vault reference. The URI is not secret; the value it points to is."
  value       = azurerm_key_vault_secret.web_client_secret.versionless_id
}

output "web_client_secret_version" {
  description = "Current version of the web app's client secret. Pinned in the apps' Key Vault reference, it changes at each rotation, so the apps restart with the new secret in the same apply."
  value       = azurerm_key_vault_secret.web_client_secret.version
}

output "web_certificate_thumbprint" {
  description = "SHA-1 thumbprint (hex) of the web app's certificate credential."
  value       = azurerm_key_vault_certificate.web_client.thumbprint
}
