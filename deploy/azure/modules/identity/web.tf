# The web app's registration: the confidential client that signs users in
# (authorization code + PKCE, or App Service authentication) and requests
# tokens for the api.

# Microsoft Graph's application id and the ids of the delegated permissions
# that every sign-in requests: Moat's web tier and App Service authentication
# both send scope=openid profile offline_access, and User.Read lets the
# sign-in read the user's profile. These ids are the same in every tenant.
locals {
  microsoft_graph_app_id = "00000003-0000-0000-c000-000000000000"
  graph_sign_in_scope_ids = {
    "openid"         = "37f7f235-527c-4136-accd-4a02d197296e"
    "profile"        = "14dad69e-099b-42c9-810b-d002981feec1"
    "offline_access" = "7427e0e9-2fba-42fe-b0c0-848c9e6a8182"
    "User.Read"      = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
  }
}

resource "azuread_application" "web" {
  display_name     = "${var.name_prefix}-web-${var.name_suffix}"
  sign_in_audience = "AzureADMyOrg"
  owners           = var.owner_object_ids

  web {
    redirect_uris = var.web_redirect_uris
    logout_url    = var.web_logout_url

    # Tokens come only from the token endpoint, never in a redirect fragment.
    implicit_grant {
      access_token_issuance_enabled = false
      id_token_issuance_enabled     = false
    }
  }

  required_resource_access {
    resource_app_id = local.microsoft_graph_app_id

    dynamic "resource_access" {
      for_each = local.graph_sign_in_scope_ids
      content {
        id   = resource_access.value
        type = "Scope"
      }
    }
  }

  required_resource_access {
    resource_app_id = azuread_application.api.client_id

    resource_access {
      id   = random_uuid.chat_scope.result
      type = "Scope"
    }

    resource_access {
      id   = random_uuid.app_role["Chat.Invoke"].result
      type = "Role"
    }
  }
}

resource "azuread_service_principal" "web" {
  client_id = azuread_application.web.client_id
  owners    = var.owner_object_ids

  # Sign-in is limited to users and groups assigned to the app.
  app_role_assignment_required = true
}
