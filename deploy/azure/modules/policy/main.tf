# Two custom policy definitions, assigned to the deployment's resource group:
# web apps must not turn App Service authentication off, and data services
# must not accept traffic from public networks. The rules are JSON files in
# rules/, the format of the Azure portal, which tests/terraform evaluates
# against sample requests.

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
  display_name = "Moat: web apps keep App Service authentication on"
  description  = "Denies a write of a web app's configuration that turns App Service authentication (siteAuthEnabled) off."
  policy_type  = "Custom"
  mode         = "All"
  parameters   = jsonencode(local.effect_parameter)

  # The rule denies only a write of the site's `web` configuration that sets
  # siteAuthEnabled to false, so writes that leave authentication alone (a
  # new startup command, a TLS setting) pass even when they do not carry the
  # field. NOTE: Azure publishes no policy alias for the fields of
  # authsettingsV2, which is where the apps keep their authentication, so no
  # policy can see that document. Turning authsettingsV2 off shows up as
  # drift in `terraform plan` and in the App Service audit log, and Moat still
  # checks every token itself. Try the definition with effect Audit in a
  # test subscription before Deny.
  policy_rule = file("${path.module}/rules/web-app-authentication.json")
}

resource "azurerm_policy_definition" "data_public_network_access" {
  name         = "${var.name_prefix}-data-public-network-access"
  display_name = "Moat: data services deny public network access"
  description  = "Denies PostgreSQL flexible servers, Key Vaults, storage accounts, Cosmos DB accounts, SQL servers and Azure AI services (Azure OpenAI) that accept traffic from public networks."
  policy_type  = "Custom"
  mode         = "Indexed"
  parameters   = jsonencode(local.effect_parameter)

  policy_rule = file("${path.module}/rules/data-public-network-access.json")
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
