variable "name_prefix" {
  description = "Prefix of every resource name, for example \"moat-prod\": lowercase letters and digits in groups joined by single hyphens. The Key Vault name keeps as much of it as fits in 24 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.name_prefix)) && length(var.name_prefix) <= 40
    error_message = "name_prefix must start with a letter, contain only lowercase letters, digits and single hyphens, not end with a hyphen, and have at most 40 characters."
  }
}

variable "name_suffix" {
  description = "Short lowercase suffix that makes the Key Vault and server names globally unique, for example 6 random characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,8}$", var.name_suffix))
    error_message = "name_suffix must be 3 to 8 lowercase letters or digits."
  }
}

variable "location" {
  description = "Azure region of the data tier."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group that holds the data tier."
  type        = string
}

variable "tenant_id" {
  description = "Entra ID tenant that Key Vault and PostgreSQL authenticate against."
  type        = string
}

variable "subnet_ids" {
  description = "Subnet ids from the network module: data (delegated to PostgreSQL) and endpoints (private endpoints)."
  type = object({
    data      = string
    endpoints = string
  })
}

variable "private_dns_zone_ids" {
  description = "Private DNS zone ids from the network module: key_vault and postgresql."
  type = object({
    key_vault  = string
    postgresql = string
  })
}

variable "deployer_object_id" {
  description = "Object id of the identity that runs Terraform. It gets Key Vault Secrets Officer and Certificates Officer to store the web app's credentials."
  type        = string
}

variable "postgresql_administrator" {
  description = "Entra ID principal that administers PostgreSQL; password authentication is off. principal_type: User, Group or ServicePrincipal."
  type = object({
    object_id      = string
    principal_name = string
    principal_type = string
  })

  validation {
    condition     = contains(["User", "Group", "ServicePrincipal"], var.postgresql_administrator.principal_type)
    error_message = "postgresql_administrator.principal_type must be User, Group or ServicePrincipal."
  }
}

variable "postgresql_sku_name" {
  description = "Compute size of the PostgreSQL flexible server."
  type        = string
  default     = "GP_Standard_D2ds_v5"
}

variable "postgresql_storage_mb" {
  description = "Storage of the PostgreSQL flexible server in MiB; it grows automatically beyond this."
  type        = number
  default     = 32768
}

variable "postgresql_zones" {
  description = "Availability zones of the PostgreSQL server (primary) and of its high-availability standby. In a region without availability zones set primary to null and postgresql_high_availability to false."
  type = object({
    primary = string
    standby = string
  })
  default = {
    primary = "1"
    standby = "2"
  }
}

variable "postgresql_high_availability" {
  description = "Run a zone-redundant standby. Needs a region with availability zones and a General Purpose or Memory Optimized SKU."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days that Log Analytics keeps logs (30 to 730)."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 30 && var.log_retention_days <= 730
    error_message = "log_retention_days must be from 30 to 730."
  }
}

variable "role_propagation_wait" {
  description = "How long to wait after granting the deployer its Key Vault roles before secrets are written, as a duration such as \"60s\" or \"3m\"."
  type        = string
  default     = "90s"
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
