output "web_app_authentication_assignment_id" {
  description = "Id of the assignment that denies web apps without authentication; a policy exemption refers to it."
  value       = azurerm_resource_group_policy_assignment.web_app_authentication.id
}

output "data_public_network_access_assignment_id" {
  description = "Id of the assignment that denies data services with public network access."
  value       = azurerm_resource_group_policy_assignment.data_public_network_access.id
}

output "policy_definition_ids" {
  description = "Ids of the two policy definitions."
  value = {
    web_app_authentication     = azurerm_policy_definition.web_app_authentication.id
    data_public_network_access = azurerm_policy_definition.data_public_network_access.id
  }
}
