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
