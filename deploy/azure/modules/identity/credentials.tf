# Credentials of the web registration. Both live in Key Vault only: the app
# reads the secret through a Key Vault reference, and the certificate's
# private key is generated inside Key Vault and cannot be exported.
#
# Rotation: once client_secret_rotation_days have passed, the next apply
# creates a new password first (create_before_destroy), writes it as a new
# version of the Key Vault secret, updates the version pinned in the apps' Key
# Vault reference (which restarts them with the new value), and only then deletes
# the old password. Apps never hold a deleted secret for longer than their
# restart takes.
#
# NOTE: the client secret's value passes through Terraform state. Keep the
# state in a backend with encryption and restricted access (for example an
# Azure Storage backend with Entra ID authentication).

resource "time_rotating" "web_client_secret" {
  rotation_days = var.client_secret_rotation_days
}

resource "azuread_application_password" "web" {
  application_id = azuread_application.web.id
  display_name   = "${azuread_application.web.display_name} (stored in Key Vault)"
  end_date       = timeadd(time_rotating.web_client_secret.id, "${var.client_secret_lifetime_days * 24}h")

  rotate_when_changed = {
    rotation = time_rotating.web_client_secret.id
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "azurerm_key_vault_secret" "web_client_secret" {
  name            = "moat-web-client-secret"
  key_vault_id    = var.key_vault_id
  value           = azuread_application_password.web.value
  content_type    = "Entra ID client secret of ${azuread_application.web.display_name}"
  expiration_date = azuread_application_password.web.end_date
}

# A certificate credential for clients that authenticate with a signed
# assertion (private_key_jwt, RFC 7523) instead of the secret. Key Vault
# creates the key pair and the key is not exportable, so the private key
# never leaves the vault: a client signs its assertion with Key Vault's sign
# operation (keys/sign, role Key Vault Crypto User on this key).
resource "azurerm_key_vault_certificate" "web_client" {
  name         = "moat-web-client"
  key_vault_id = var.key_vault_id

  certificate_policy {
    issuer_parameters {
      name = "Self"
    }

    key_properties {
      exportable = false
      key_type   = "RSA"
      key_size   = 3072
      reuse_key  = false
    }

    lifetime_action {
      action {
        action_type = "AutoRenew"
      }

      trigger {
        days_before_expiry = 30
      }
    }

    secret_properties {
      content_type = "application/x-pem-file"
    }

    x509_certificate_properties {
      subject            = "CN=${azuread_application.web.display_name}"
      validity_in_months = 12
      key_usage          = ["digitalSignature"]
      # Client authentication.
      extended_key_usage = ["1.3.6.1.5.5.7.3.2"]
    }
  }
}

resource "azuread_application_certificate" "web" {
  application_id = azuread_application.web.id
  type           = "AsymmetricX509Cert"
  encoding       = "hex"
  value          = azurerm_key_vault_certificate.web_client.certificate_data
  end_date       = azurerm_key_vault_certificate.web_client.certificate_attribute[0].expires
}
