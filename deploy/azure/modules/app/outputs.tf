output "id" {
  description = "Resource id of the web app."
  value       = azurerm_linux_web_app.this.id
}

output "name" {
  description = "Name of the web app."
  value       = azurerm_linux_web_app.this.name
}

output "default_hostname" {
  description = "Host name of the app, NAME.azurewebsites.net. For a private app it resolves to the private endpoint inside the network only."
  value       = azurerm_linux_web_app.this.default_hostname
}

output "url" {
  description = "HTTPS base URL of the app."
  value       = "https://${azurerm_linux_web_app.this.default_hostname}"
}

output "principal_id" {
  description = "Object id of the app's system-assigned managed identity."
  value       = azurerm_linux_web_app.this.identity[0].principal_id
}

output "authentication_mode" {
  description = "login, bearer or code, as configured."
  value       = var.authentication.mode
}
