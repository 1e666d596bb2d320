variable "name_prefix" {
  description = "Prefix of every resource name, for example \"moat-prod\"."
  type        = string
}

variable "location" {
  description = "Azure region of the virtual network, for example \"westeurope\"."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group that holds the network."
  type        = string
}

variable "address_space" {
  description = "Address space of the virtual network."
  type        = list(string)
  default     = ["10.40.0.0/16"]
}

variable "subnet_prefixes" {
  description = <<-EOT
    Address prefix of each subnet. web: outbound integration of the internet-facing app.
    app: outbound integration of the api. data: delegated to PostgreSQL flexible server.
    endpoints: private endpoints (Key Vault, the api).
  EOT
  type = object({
    web       = string
    app       = string
    data      = string
    endpoints = string
  })
  default = {
    web       = "10.40.1.0/24"
    app       = "10.40.2.0/24"
    data      = "10.40.3.0/24"
    endpoints = "10.40.4.0/24"
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "runner_address_prefixes" {
  description = <<-EOT
    Address ranges (CIDR) of the machine that runs Terraform, for example a runner in a peered
    virtual network or a VPN client pool. They may reach the private endpoints on 443 (Key Vault,
    where Terraform writes secrets) and PostgreSQL on 5432. Empty: only the app tiers may.
  EOT
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for prefix in var.runner_address_prefixes : can(cidrhost(prefix, 0)) && prefix != "0.0.0.0/0"])
    error_message = "Each runner_address_prefixes entry must be a CIDR range such as \"10.50.0.0/24\", and not 0.0.0.0/0."
  }
}

variable "egress_ip_zones" {
  description = "Availability zones of the NAT gateway's public address; [] in a region without availability zones."
  type        = list(string)
  default     = ["1", "2", "3"]
}
