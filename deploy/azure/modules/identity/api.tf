# The api's registration: the resource that access tokens are issued for. It
# defines the app roles that Moat's api checks (`roles` claim) and the
# delegated scope `Chat` (`scp` claim).

locals {
  app_roles = {
    "Reader" = {
      display_name = "Reader"
      description  = "Ask questions over the documents the user may read."
      member_types = ["User"]
    }
    "Contributor" = {
      display_name = "Contributor"
      description  = "Ask questions and add documents."
      member_types = ["User"]
    }
    "Admin" = {
      display_name = "Admin"
      description  = "Everything a Contributor may do, and read the audit log."
      member_types = ["User"]
    }
    "Audit.Read.All" = {
      display_name = "Read the audit log"
      description  = "An application reads every audit record with its own identity."
      member_types = ["Application"]
    }
    "Chat.Invoke" = {
      display_name = "Invoke chat as an application"
      description  = "An application calls the chat endpoint with its own identity (client credentials)."
      member_types = ["Application"]
    }
  }
}

resource "random_uuid" "app_role" {
  for_each = local.app_roles
}

resource "random_uuid" "chat_scope" {}

resource "azuread_application" "api" {
  display_name     = "${var.name_prefix}-api-${var.name_suffix}"
  sign_in_audience = "AzureADMyOrg"
  owners           = var.owner_object_ids

  # Moat filters documents by group, so access tokens carry the user's security groups.
  group_membership_claims = ["SecurityGroup"]

  api {
    # v2.0 tokens: issuer https://login.microsoftonline.com/TENANT/v2.0, audience = client id.
    requested_access_token_version = 2

    oauth2_permission_scope {
      id                         = random_uuid.chat_scope.result
      value                      = "Chat"
      type                       = "User"
      enabled                    = true
      admin_consent_display_name = "Chat with Moat"
      admin_consent_description  = "Lets the app ask Moat questions as the signed-in user, over the documents that user may read."
      user_consent_display_name  = "Chat with Moat"
      user_consent_description   = "Lets the app ask Moat questions as you, over the documents you may read."
    }
  }

  dynamic "app_role" {
    for_each = local.app_roles
    content {
      id                   = random_uuid.app_role[app_role.key].result
      value                = app_role.key
      display_name         = app_role.value.display_name
      description          = app_role.value.description
      allowed_member_types = app_role.value.member_types
      enabled              = true
    }
  }

  # The identifier URI embeds the client id, which exists only after creation,
  # so azuread_application_identifier_uri sets it.
  lifecycle {
    ignore_changes = [identifier_uris]
  }
}

resource "azuread_application_identifier_uri" "api" {
  application_id = azuread_application.api.id
  identifier_uri = "api://${azuread_application.api.client_id}"
}

resource "azuread_service_principal" "api" {
  client_id = azuread_application.api.client_id
  owners    = var.owner_object_ids

  # Only users, groups and apps that hold an app role get a token for the api.
  app_role_assignment_required = true
}
