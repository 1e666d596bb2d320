# Consent and role assignments. Examples, to be replaced by the groups of
# your tenant through var.user_role_assignments.

# Pattern 2: the web app calls the api with its own token (client
# credentials), which carries `roles: ["Chat.Invoke"]`.
resource "azuread_app_role_assignment" "web_chat_invoke" {
  count               = var.grant_chat_invoke_role ? 1 : 0
  app_role_id         = random_uuid.app_role["Chat.Invoke"].result
  principal_object_id = azuread_service_principal.web.object_id
  resource_object_id  = azuread_service_principal.api.object_id
}

# Patterns 1 and 3: admin consent for the delegated Chat scope, so users are
# not asked to consent one by one.
resource "azuread_service_principal_delegated_permission_grant" "web_chat" {
  count                                = var.grant_delegated_chat_scope ? 1 : 0
  service_principal_object_id          = azuread_service_principal.web.object_id
  resource_service_principal_object_id = azuread_service_principal.api.object_id
  claim_values                         = ["Chat"]
}

# Every pattern signs users in through the web registration, so admin consent
# for the Graph sign-in scopes spares each user a consent prompt.
data "azuread_service_principal" "graph" {
  client_id = local.microsoft_graph_app_id
}

resource "azuread_service_principal_delegated_permission_grant" "web_graph_sign_in" {
  service_principal_object_id          = azuread_service_principal.web.object_id
  resource_service_principal_object_id = data.azuread_service_principal.graph.object_id
  claim_values                         = keys(local.graph_sign_in_scope_ids)
}

resource "azuread_app_role_assignment" "api_user_role" {
  for_each            = var.user_role_assignments
  app_role_id         = random_uuid.app_role[each.value.role].result
  principal_object_id = each.value.principal_object_id
  resource_object_id  = azuread_service_principal.api.object_id
}

# The web service principal requires assignment too; the all-zero id is
# Entra ID's default access role for an app without user roles of its own.
resource "azuread_app_role_assignment" "web_user_access" {
  for_each            = var.user_role_assignments
  app_role_id         = "00000000-0000-0000-0000-000000000000"
  principal_object_id = each.value.principal_object_id
  resource_object_id  = azuread_service_principal.web.object_id
}
