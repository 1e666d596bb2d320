variable "name_prefix" {
  description = "Prefix of the app registrations' display names, for example \"moat-prod\"."
  type        = string
}

variable "name_suffix" {
  description = "Random suffix of the deployment, added to the display names so that two deployments in one tenant are told apart."
  type        = string
}

variable "owner_object_ids" {
  description = "Object ids of the users or service principals that own both registrations."
  type        = list(string)
  default     = []
}

variable "web_redirect_uris" {
  description = <<-EOT
    Redirect URIs of the web registration: "https://HOST/auth/callback" for Moat's own sign-in,
    "https://HOST/.auth/login/aad/callback" behind App Service authentication. Entra ID sends the
    browser back after sign-out only to a registered redirect URI, so Moat's web tier also needs
    "https://HOST/auth/signed-out", the post_logout_redirect_uri it sends.
  EOT
  type        = list(string)

  validation {
    condition     = length(var.web_redirect_uris) > 0 && alltrue([for uri in var.web_redirect_uris : startswith(uri, "https://")])
    error_message = "web_redirect_uris must contain at least one URI, and every URI must start with https:// (Entra ID accepts http only for localhost)."
  }
}

variable "web_logout_url" {
  description = "Front-channel logout URL of the web registration, which Entra ID calls when the user signs out of another app; null for none. Moat has no front-channel logout endpoint in this version, so the examples leave it null."
  type        = string
  default     = null
}

variable "grant_delegated_chat_scope" {
  description = "Grant tenant-wide (admin) consent for the web app to call the api's Chat scope on behalf of a user (patterns 1 and 3)."
  type        = bool
  default     = false
}

variable "grant_chat_invoke_role" {
  description = "Assign the application role Chat.Invoke on the api to the web app's own identity, for client-credentials calls (pattern 2)."
  type        = bool
  default     = false
}

variable "user_role_assignments" {
  description = <<-EOT
    Users or groups to assign to an api app role, keyed by a stable name. Each is also
    given access to the web app, because both service principals require assignment.
    role: Reader, Contributor or Admin.
  EOT
  type = map(object({
    principal_object_id = string
    role                = string
  }))
  default = {}

  validation {
    condition     = alltrue([for assignment in values(var.user_role_assignments) : contains(["Reader", "Contributor", "Admin"], assignment.role)])
    error_message = "Each user_role_assignments role must be Reader, Contributor or Admin; application roles are granted with grant_chat_invoke_role."
  }
}

variable "key_vault_id" {
  description = "Key Vault that stores the web app's client secret and certificate. The caller must already be allowed to write secrets and certificates there."
  type        = string
}

variable "client_secret_lifetime_days" {
  description = "Days until the web app's client secret expires. A new secret is created on the first apply after rotation_days."
  type        = number
  default     = 180

  validation {
    condition     = var.client_secret_lifetime_days >= 30 && var.client_secret_lifetime_days <= 365
    error_message = "client_secret_lifetime_days must be from 30 to 365."
  }
}

variable "client_secret_rotation_days" {
  description = "Days after which the next apply replaces the web app's client secret. Must be shorter than client_secret_lifetime_days; the difference is how long an apply may be late before the secret expires."
  type        = number
  default     = 90

  validation {
    condition     = var.client_secret_rotation_days >= 1 && var.client_secret_rotation_days < var.client_secret_lifetime_days
    error_message = "client_secret_rotation_days must be at least 1 and shorter than client_secret_lifetime_days, so a new secret exists before the old one expires."
  }
}
