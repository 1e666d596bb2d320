# App Service authentication ("Easy Auth"), the gateway of patterns 1 and 2
# and a second token check in front of the api. Written with azapi as the
# site's authsettingsV2 resource; README.md says why not azurerm's
# auth_settings_v2 block.
#
# azapi_update_resource, not azapi_resource: the authsettingsV2 resource
# exists as soon as the site does and has no DELETE operation, so destroying
# an azapi_resource fails. Destroying an azapi_update_resource only removes
# it from the state, and deleting the site removes its settings.

locals {
  login_mode    = var.authentication.mode == "login"
  openid_issuer = "https://login.microsoftonline.com/${var.tenant_id}/v2.0"

  login_parameters = local.login_mode ? [
    "scope=${join(" ", concat(["openid", "profile", "offline_access"], var.authentication.login_scopes))}",
  ] : []
}

resource "azapi_update_resource" "authentication" {
  count     = var.authentication.mode == "code" ? 0 : 1
  type      = "Microsoft.Web/sites/config@2024-04-01"
  name      = "authsettingsV2"
  parent_id = azurerm_linux_web_app.this.id

  body = {
    properties = {
      platform = {
        enabled        = true
        runtimeVersion = "~1"
      }

      globalValidation = {
        requireAuthentication       = true
        unauthenticatedClientAction = local.login_mode ? "RedirectToLoginPage" : "Return401"
        redirectToProvider          = "azureactivedirectory"
        excludedPaths               = var.authentication.excluded_paths
      }

      identityProviders = {
        azureActiveDirectory = {
          enabled = true

          registration = {
            clientId                = var.authentication.client_id
            openIdIssuer            = local.openid_issuer
            clientSecretSettingName = local.login_mode ? var.authentication.client_secret_setting : null
          }

          login = {
            loginParameters        = local.login_parameters
            disableWWWAuthenticate = false
          }

          validation = {
            allowedAudiences = var.authentication.allowed_audiences
            defaultAuthorizationPolicy = {
              allowedApplications = var.authentication.allowed_applications
            }
          }
        }
      }

      login = {
        # The token store keeps the user's tokens and forwards them to the app
        # in X-MS-TOKEN-AAD-ID-TOKEN and X-MS-TOKEN-AAD-ACCESS-TOKEN (the access
        # token only because login mode configures a client secret). Moat's web
        # tier with front_door = "app-service" trusts only these signed tokens,
        # so turning the store off locks every user out. A bearer-only api has
        # no sessions.
        tokenStore = {
          enabled = local.login_mode
        }
        preserveUrlFragmentsForLogins = false
        cookieExpiration = {
          convention       = "FixedTime"
          timeToExpiration = "08:00:00"
        }
        nonce = {
          validateNonce           = true
          nonceExpirationInterval = "00:05:00"
        }
      }

      httpSettings = {
        requireHttps = true
        routes = {
          apiPrefix = "/.auth"
        }
        forwardProxy = {
          convention = "NoProxy"
        }
      }
    }
  }
}
