variable "subscription_id" {
  description = "Azure subscription to deploy into."
  type        = string
}

variable "location" {
  description = "Azure region with availability zones, for example \"westeurope\"."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name, for example \"moat-prod\": 2 to 16 lowercase letters and digits in groups joined by single hyphens. The Key Vault name keeps as much of it as fits in 24 characters."
  type        = string
  default     = "moat"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.name_prefix)) && length(var.name_prefix) >= 2 && length(var.name_prefix) <= 16
    error_message = "name_prefix must be 2 to 16 characters: a lowercase letter first, then lowercase letters, digits and single hyphens, and no hyphen at the end."
  }
}

variable "container_image" {
  description = "Moat's container image and tag in container_registry_url, for example \"moat:1.0.0\"."
  type        = string
}

variable "container_registry_url" {
  description = "Registry of the image, for example \"https://myregistry.azurecr.io\". An Azure Container Registry is pulled with the apps' managed identities (set container_registry_id); another registry only anonymously, so the image must be public there."
  type        = string
}

variable "container_registry_id" {
  description = "Resource id of the Azure Container Registry in container_registry_url; the apps get AcrPull on it. null for a public image in another registry."
  type        = string
  default     = null
}

variable "web_command" {
  description = "Startup command of the web (BFF) container: Moat's web tier of pattern 2, behind App Service authentication."
  type        = string
  default     = "moat web --pattern 2"
}

variable "api_command" {
  description = "Startup command of the api container: the api with pattern 2's route for the web tier's app token."
  type        = string
  default     = "moat api --pattern 2"
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
  description = "How the audit log keeps prompts and answers: stored, redacted, keyed_hash or omitted (Moat's audit.prompt_policy and audit.answer_policy)."
  type        = string
  default     = "redacted"

  validation {
    condition     = contains(["stored", "redacted", "keyed_hash", "omitted"], var.audit_content_policy)
    error_message = "audit_content_policy must be stored, redacted, keyed_hash or omitted."
  }
}

variable "llm" {
  description = <<-EOT
    Chat-completions endpoint for answers, or null for extractive answers. The key is not a
    Terraform value: store it in the Key Vault as api_key_secret_name (az keyvault secret set)
    before the api starts. clearance: the highest classification sent to the model.
    azure_key_header: true for Azure OpenAI, which expects the key in an api-key header
    instead of Authorization: Bearer (Moat's llm.azure_key_header).
  EOT
  type = object({
    endpoint            = string
    model               = string
    clearance           = optional(string, "internal")
    azure_key_header    = optional(bool, false)
    api_key_secret_name = optional(string, "moat-llm-api-key")
  })
  default = null
}

variable "app_service_sku_name" {
  description = "App Service plan SKU of each app, for example \"P1v3\" (Premium v3). Each app has its own plan."
  type        = string
  default     = "P1v3"
}

variable "worker_count" {
  description = "Instances of each app's plan. Keep 1: Moat keeps SQLite files on the app's /home share (one writer at a time) and web sessions in one process's memory; scale-out needs Moat's PostgreSQL store, which this version does not have."
  type        = number
  default     = 1
}

variable "runner_address_prefixes" {
  description = "Address ranges (CIDR) of the machine that runs Terraform (a runner in a peered network, or a VPN client pool). They may reach Key Vault's private endpoint on 443 and PostgreSQL on 5432."
  type        = list(string)
  default     = []
}

variable "availability_zones" {
  description = "Availability zones of the PostgreSQL server, its standby and the NAT gateway's address. In a region without zones set postgresql_primary to null, egress_ip to [] and postgresql_high_availability to false."
  type = object({
    postgresql_primary = optional(string, "1")
    postgresql_standby = optional(string, "2")
    egress_ip          = optional(list(string), ["1", "2", "3"])
  })
  default = {}
}

variable "postgresql_high_availability" {
  description = "Run a zone-redundant PostgreSQL standby (billed as a second server)."
  type        = bool
  default     = true
}

variable "policy_effect" {
  description = "Effect of the two Azure Policy assignments: Deny (the default) blocks a non-compliant request, Audit only reports it, for a first rollout."
  type        = string
  default     = "Deny"

  validation {
    condition     = contains(["Deny", "Audit"], var.policy_effect)
    error_message = "policy_effect must be Deny or Audit."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = { application = "moat" }
}
