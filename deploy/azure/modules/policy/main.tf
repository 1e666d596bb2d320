# Two custom policy definitions, assigned to the deployment's resource group:
# web apps must have App Service authentication on, and data services must
# not accept traffic from public networks.

locals {
  effect_parameter = {
    effect = {
      type          = "String"
      defaultValue  = "Deny"
      allowedValues = ["Deny", "Audit", "Disabled"]
      metadata = {
        displayName = "Effect"
        description = "Deny blocks the request; Audit reports it; Disabled turns the policy off."
      }
    }
  }
}

resource "azurerm_policy_definition" "web_app_authentication" {
  name         = "${var.name_prefix}-web-app-authentication"
  display_name = "Moat: web apps require App Service authentication"
  description  = "Denies writing the configuration of a web app whose App Service authentication is off."
  policy_type  = "Custom"
  mode         = "All"
  parameters   = jsonencode(local.effect_parameter)

  # NOTE: siteAuthEnabled is the alias that Azure's built-in policy "App
  # Service apps should have authentication enabled" reads, on the site's
  # `web` configuration. Azure publishes no alias for authsettingsV2 fields.
  # Try the definition with effect Audit in a test subscription before Deny.
  policy_rule = jsonencode({
    "if" = {
      allOf = [
        { field = "type", equals = "Microsoft.Web/sites/config" },
        { field = "name", equals = "web" },
        { field = "Microsoft.Web/sites/config/siteAuthEnabled", notEquals = "true" },
      ]
    }
    then = {
      effect = "[parameters('effect')]"
    }
  })
}

resource "azurerm_policy_definition" "data_public_network_access" {
  name         = "${var.name_prefix}-data-public-network-access"
  display_name = "Moat: data services deny public network access"
  description  = "Denies PostgreSQL flexible servers, Key Vaults, storage accounts, Cosmos DB accounts, SQL servers and Azure AI services (Azure OpenAI) that accept traffic from public networks."
  policy_type  = "Custom"
  mode         = "Indexed"
  parameters   = jsonencode(local.effect_parameter)

  policy_rule = jsonencode({
    "if" = {
      anyOf = [
        {
          allOf = [
            { field = "type", equals = "Microsoft.DBforPostgreSQL/flexibleServers" },
            { field = "Microsoft.DBforPostgreSQL/flexibleServers/network.publicNetworkAccess", notEquals = "Disabled" },
          ]
        },
        {
          allOf = [
            { field = "type", equals = "Microsoft.KeyVault/vaults" },
            { field = "Microsoft.KeyVault/vaults/publicNetworkAccess", notEquals = "Disabled" },
          ]
        },
        {
          allOf = [
            { field = "type", equals = "Microsoft.Storage/storageAccounts" },
            { field = "Microsoft.Storage/storageAccounts/publicNetworkAccess", notEquals = "Disabled" },
          ]
        },
        {
          allOf = [
            { field = "type", equals = "Microsoft.DocumentDB/databaseAccounts" },
            { field = "Microsoft.DocumentDB/databaseAccounts/publicNetworkAccess", notEquals = "Disabled" },
          ]
        },
        {
          allOf = [
            { field = "type", equals = "Microsoft.Sql/servers" },
            { field = "Microsoft.Sql/servers/publicNetworkAccess", notEquals = "Disabled" },
          ]
        },
        {
          allOf = [
            { field = "type", equals = "Microsoft.CognitiveServices/accounts" },
            { field = "Microsoft.CognitiveServices/accounts/publicNetworkAccess", notEquals = "Disabled" },
          ]
        },
      ]
    }
    then = {
      effect = "[parameters('effect')]"
    }
  })
}

resource "azurerm_resource_group_policy_assignment" "web_app_authentication" {
  name                 = "${var.name_prefix}-web-app-auth"
  display_name         = azurerm_policy_definition.web_app_authentication.display_name
  resource_group_id    = var.resource_group_id
  policy_definition_id = azurerm_policy_definition.web_app_authentication.id
  parameters           = jsonencode({ effect = { value = var.effect } })

  non_compliance_message {
    content = "Turn on App Service authentication (authsettingsV2) with requireAuthentication before changing this web app, or add a policy exemption that says where authentication happens instead."
  }
}

resource "azurerm_resource_group_policy_assignment" "data_public_network_access" {
  name                 = "${var.name_prefix}-data-private"
  display_name         = azurerm_policy_definition.data_public_network_access.display_name
  resource_group_id    = var.resource_group_id
  policy_definition_id = azurerm_policy_definition.data_public_network_access.id
  parameters           = jsonencode({ effect = { value = var.effect } })

  non_compliance_message {
    content = "Set publicNetworkAccess to Disabled and reach the service through a private endpoint or VNet integration."
  }
}
