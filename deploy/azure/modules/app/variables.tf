variable "name" {
  description = "Name of the web app; it becomes NAME.azurewebsites.net, so it must be globally unique."
  type        = string
}

variable "location" {
  description = "Azure region of the app and its plan."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group that holds the app."
  type        = string
}

variable "tenant_id" {
  description = "Entra ID tenant whose tokens App Service authentication accepts."
  type        = string
}

variable "sku_name" {
  description = "App Service plan SKU, for example \"P1v3\". Zone balancing (worker_count of 2 or more) needs Premium v2, Premium v3 or higher."
  type        = string
  default     = "P1v3"
}

variable "worker_count" {
  description = <<-EOT
    Instances of the plan. Default 1: Moat keeps SQLite files on the /home share, which is safe
    with one writer only, and Moat's web tier keeps sessions in the memory of one process. With 2
    or more, the plan is zone-balanced (changing between 1 and 2+ recreates the plan); scale out
    only once Moat stores data in PostgreSQL, which this version does not.
  EOT
  type        = number
  default     = 1

  validation {
    condition     = var.worker_count >= 1 && floor(var.worker_count) == var.worker_count
    error_message = "worker_count must be a whole number of at least 1."
  }
}

variable "integration_subnet_id" {
  description = "Subnet (delegated to Microsoft.Web/serverFarms) that carries the app's outbound traffic into the virtual network."
  type        = string
}

variable "public_network_access" {
  description = "Accept requests from the internet. false for the api: it is reachable only through its private endpoint."
  type        = bool
}

variable "private_endpoint" {
  description = "Subnet and private DNS zone (privatelink.azurewebsites.net) of the app's private endpoint, or null for none. Required when public_network_access is false."
  type = object({
    subnet_id           = string
    private_dns_zone_id = string
  })
  default = null

  validation {
    condition     = var.public_network_access || var.private_endpoint != null
    error_message = "private_endpoint is required when public_network_access is false, otherwise nothing can reach the app."
  }
}

variable "container_image" {
  description = "Image and tag of Moat, for example \"moat:1.0.0\", in container_registry_url."
  type        = string
}

variable "container_registry_url" {
  description = <<-EOT
    Registry that serves container_image. An Azure Container Registry
    ("https://NAME.azurecr.io", with container_registry_id) is pulled with the app's managed
    identity; any other registry is pulled anonymously, so the image must be public there.
    Registries that need a user name and password are not supported.
  EOT
  type        = string

  validation {
    condition     = startswith(var.container_registry_url, "https://")
    error_message = "container_registry_url must start with https://."
  }
}

variable "container_registry_id" {
  description = "Resource id of the Azure Container Registry in container_registry_url: the app gets AcrPull on it and pulls with its managed identity. null for a public image in another registry."
  type        = string
  default     = null

  validation {
    condition     = var.container_registry_id != null || !endswith(trimsuffix(var.container_registry_url, "/"), ".azurecr.io")
    error_message = "container_registry_url is an Azure Container Registry, so set container_registry_id to its resource id; without it the app has no AcrPull role and cannot pull."
  }
}

variable "startup_command" {
  description = "Command the container runs, for example \"moat api\"."
  type        = string
}

variable "port" {
  description = "TCP port that Moat listens on inside the container."
  type        = number
}

variable "health_check_path" {
  description = "Path that App Service probes; Moat's components answer GET /healthz without authentication."
  type        = string
  default     = "/healthz"
}

variable "app_settings" {
  description = <<-EOT
    Environment variables with non-secret values (MOAT_* keys). Secrets go in key_vault_secrets.
    A name is taken for a secret when one of its underscore-separated words is SECRET, PASSWORD or
    PASSWD, or when it ends in KEY, TOKEN, CONNECTION_STRING or CREDENTIALS: MOAT_WEB_CLIENT_SECRET
    and OPENAI_KEY are secrets, MOAT_LLM_API_KEY_ENV (the name of a variable) and
    MOAT_IDP_TOKEN_LIFETIME are not.
  EOT
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.app_settings) : !can(regex("(?i)(^|_)(SECRET|PASSWORD|PASSWD)(_|$)|(^|_)(KEY|TOKEN|CONNECTION_STRING|CREDENTIALS?)$", name))])
    error_message = "app_settings must not carry secrets: move each setting whose name has the word SECRET, PASSWORD or PASSWD, or ends in KEY, TOKEN, CONNECTION_STRING or CREDENTIALS, to key_vault_secrets."
  }
}

variable "key_vault_secrets" {
  description = <<-EOT
    Environment variables whose value is a Key Vault reference: setting name => versionless secret
    URI (https://VAULT.vault.azure.net/secrets/NAME). The app may read only these secrets. Without
    an entry in key_vault_secret_versions, App Service fetches the latest version within 24 hours
    or at the next restart, which suits a secret rotated outside Terraform.
  EOT
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for uri in values(var.key_vault_secrets) : can(regex("^https://[0-9A-Za-z-]+\\.vault\\.azure\\.net/secrets/[0-9A-Za-z-]+/?$", uri))])
    error_message = "Each key_vault_secrets value must be a versionless secret URI such as https://VAULT.vault.azure.net/secrets/NAME; pin a version with key_vault_secret_versions."
  }
}

variable "key_vault_secret_versions" {
  description = <<-EOT
    Setting name => secret version, for key_vault_secrets entries whose reference should name one
    version. Use it for a secret that Terraform rotates: the apply that rotates it changes the
    reference, and App Service restarts the app with the new version. The role assignment keeps
    the versionless scope, so a rotation does not replace it.
  EOT
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.key_vault_secret_versions) : contains(keys(var.key_vault_secrets), name)])
    error_message = "Each key_vault_secret_versions key must also be a key of key_vault_secrets."
  }
}

variable "key_vault_id" {
  description = "Resource id of the Key Vault that key_vault_secrets point to."
  type        = string
}

variable "authentication" {
  description = <<-EOT
    How App Service authentication (the gateway) fronts the app.
    mode "login": sign-in required, browsers are redirected to Entra ID (patterns 1 and 2, the app users reach).
    mode "bearer": every request needs an access token for allowed_audiences from one of allowed_applications, otherwise 401 (the api).
    mode "code": the app signs users in itself (pattern 3's web); no App Service authentication.
    client_id: registration that signs users in ("login") or that tokens are issued for ("bearer").
    client_secret_setting: app setting (a Key Vault reference) with the client secret, "login" only.
    login_scopes: scopes requested at sign-in besides openid, profile and offline_access, "login" only.
    excluded_paths: paths served without authentication, each a single path such as "/healthz".
  EOT
  type = object({
    mode                  = string
    client_id             = optional(string)
    client_secret_setting = optional(string)
    allowed_audiences     = optional(list(string), [])
    allowed_applications  = optional(list(string), [])
    login_scopes          = optional(list(string), [])
    excluded_paths        = optional(list(string), ["/healthz"])
  })

  validation {
    condition     = contains(["login", "bearer", "code"], var.authentication.mode)
    error_message = "authentication.mode must be login, bearer or code."
  }

  validation {
    condition     = alltrue([for path in var.authentication.excluded_paths : startswith(path, "/") && path != "/" && !strcontains(path, "*")])
    error_message = "Each authentication.excluded_paths entry must be one path such as \"/healthz\"; \"/\" or a wildcard would let unauthenticated requests reach the app."
  }

  validation {
    condition     = var.authentication.mode == "code" || var.authentication.client_id != null
    error_message = "authentication.client_id is required for modes login and bearer."
  }

  validation {
    condition     = var.authentication.mode != "login" || contains(keys(var.key_vault_secrets), coalesce(var.authentication.client_secret_setting, "-"))
    error_message = "Mode login needs authentication.client_secret_setting, naming the key_vault_secrets entry that holds the client secret."
  }

  validation {
    condition     = var.authentication.mode != "bearer" || (length(var.authentication.allowed_audiences) > 0 && length(var.authentication.allowed_applications) > 0)
    error_message = "Mode bearer needs allowed_audiences and allowed_applications, so that only tokens for this api from known callers pass."
  }
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace that receives the app's logs."
  type        = string
}

variable "log_categories" {
  description = "App Service log categories sent to Log Analytics. AppServiceConsoleLogs carries Moat's structured log (standard error)."
  type        = list(string)
  default = [
    "AppServiceHTTPLogs",
    "AppServiceConsoleLogs",
    "AppServiceAppLogs",
    "AppServiceAuditLogs",
    "AppServicePlatformLogs",
  ]
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
