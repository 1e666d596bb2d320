variable "subscription_id" {
  description = "Azure subscription to deploy into."
  type        = string
}

variable "location" {
  description = "Azure region with availability zones, for example \"westeurope\"."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name: lowercase letters, digits and hyphens, at most 16 characters."
  type        = string
  default     = "moat"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and contain 2 to 16 lowercase letters, digits or hyphens."
  }
}

variable "container_image" {
  description = "Moat's container image and tag in container_registry_url, for example \"moat:1.0.0\"."
  type        = string
}

variable "container_registry_url" {
  description = "Registry of the image, for example \"https://myregistry.azurecr.io\"."
  type        = string
}

variable "container_registry_id" {
  description = "Resource id of the Azure Container Registry, to let the apps pull with their managed identity; null for another registry."
  type        = string
  default     = null
}

variable "web_command" {
  description = "Startup command of the web (BFF) container."
  type        = string
  default     = "moat web"
}

variable "api_command" {
  description = "Startup command of the api container."
  type        = string
  default     = "moat api"
}

variable "postgresql_administrator" {
  description = "Entra ID user, group or service principal that administers PostgreSQL."
  type = object({
    object_id      = string
    principal_name = string
    principal_type = string
  })
}

variable "user_role_assignments" {
  description = "Entra ID users or groups and their api app role (Reader, Contributor or Admin), keyed by a stable name."
  type = map(object({
    principal_object_id = string
    role                = string
  }))
  default = {}
}

variable "audit_content_policy" {
  description = "How the audit log keeps prompts and answers: stored, hashed or omitted (Moat's api.content_policy)."
  type        = string
  default     = "hashed"

  validation {
    condition     = contains(["stored", "hashed", "omitted"], var.audit_content_policy)
    error_message = "audit_content_policy must be stored, hashed or omitted."
  }
}

variable "llm" {
  description = <<-EOT
    Chat-completions endpoint for answers, or null for extractive answers. The key is not a
    Terraform value: store it in the Key Vault as api_key_secret_name (az keyvault secret set)
    before the api starts. clearance: the highest classification sent to the model.
  EOT
  type = object({
    endpoint            = string
    model               = string
    clearance           = optional(string, "internal")
    api_key_secret_name = optional(string, "moat-llm-api-key")
  })
  default = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = { application = "moat" }
}
