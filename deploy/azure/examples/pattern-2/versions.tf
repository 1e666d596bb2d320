terraform {
  required_version = ">= 1.9.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.42"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = "~> 3.0"
    }
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
    time = {
      source  = "hashicorp/time"
      version = "~> 0.12"
    }
  }

  # State holds the web app's client secret: keep it in a remote backend with
  # encryption and restricted access, for example
  # backend "azurerm" {
  #   use_azuread_auth = true
  # }
  # with the storage account, container and key passed to `terraform init -backend-config=...`.
}

provider "azurerm" {
  subscription_id     = var.subscription_id
  storage_use_azuread = true

  features {
    key_vault {
      # Purge protection is on, so a destroyed vault and its secrets and
      # certificates stay recoverable for 90 days; a purge would be refused.
      purge_soft_delete_on_destroy               = false
      purge_soft_deleted_secrets_on_destroy      = false
      purge_soft_deleted_certificates_on_destroy = false
    }
  }
}

provider "azuread" {}

provider "azapi" {}
