import MoatConfig
import Testing

@Suite("tenant and client id settings")
struct IdentifierSettingsTests {
    @Test("domain name as tenant is rejected", arguments: ["api", "gateway"])
    func domainTenantRejected(section: String) {
        let error = configurationError("[\(section)]\nallowed_tenants = [\"fabrikam.onmicrosoft.com\"]\n")

        let reason = error?.reason ?? "none"
        #expect(reason.contains("\(section).allowed_tenants"), "reason: \(reason)")
        #expect(reason.contains("fabrikam.onmicrosoft.com"), "reason: \(reason)")
        #expect(reason.contains("GUID"), "reason: \(reason)")
    }

    @Test("upper-case tenant is lower-cased")
    func upperCaseTenantNormalised() throws {
        let configuration = try loadConfiguration("""
            [api]
            allowed_tenants = ["72F988BF-86F1-41AF-91AB-2D7CD011DB47"]
            [gateway]
            allowed_tenants = ["72F988BF-86F1-41AF-91AB-2D7CD011DB47"]
            """)

        #expect(configuration.api.allowedTenants == ["72f988bf-86f1-41af-91ab-2d7cd011db47"])
        #expect(configuration.gateway.allowedTenants == ["72f988bf-86f1-41af-91ab-2d7cd011db47"])
    }

    @Test("tenant from environment is checked")
    func environmentTenantChecked() {
        let error = configurationError(nil, environment: ["MOAT_API_ALLOWED_TENANTS": "contoso.com"])

        #expect(error?.reason.contains("api.allowed_tenants entry \"contoso.com\"") == true, "reason: \(error?.reason ?? "none")")
    }

    @Test("non-GUID client id is rejected for the dev IdP", arguments: [
        "moat-web",
        "bbbbbbbb-0000-0000-0000-00000000002",
    ])
    func nameClientRejected(entry: String) {
        let error = configurationError("[api]\nallowed_client_apps = [\"\(entry)\"]\n")

        let reason = error?.reason ?? "none"
        #expect(reason.contains("api.allowed_client_apps"), "reason: \(reason)")
        #expect(reason.contains("\"\(entry)\""), "reason: \(reason)")
        #expect(reason.contains("directory"), "reason: \(reason)")
    }

    @Test("non-GUID client id is rejected for Entra issuers", arguments: [
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
        "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
        "https://idp.example.test/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
    ])
    func entraIssuerClientRejected(issuer: String) {
        let error = configurationError("[gateway]\nissuer = \"\(issuer)\"\nallowed_client_apps = [\"moat-web\"]\n")

        #expect(error?.reason.contains("gateway.allowed_client_apps entry \"moat-web\"") == true, "reason: \(error?.reason ?? "none")")
    }

    @Test("named client id is kept for other issuers")
    func otherIssuerKeepsNames() throws {
        let configuration = try loadConfiguration("""
            [api]
            issuer = "https://keycloak.example.test/realms/moat"
            allowed_client_apps = ["moat-web"]
            """)

        #expect(configuration.api.allowedClientApps == ["moat-web"])
    }

    @Test("upper-case client id is lower-cased")
    func upperCaseClientNormalised() throws {
        let configuration = try loadConfiguration("[api]\nallowed_client_apps = [\"BBBBBBBB-0000-0000-0000-000000000002\"]\n")

        #expect(configuration.api.allowedClientApps == ["bbbbbbbb-0000-0000-0000-000000000002"])
    }

    @Test("tenant placeholder in another case is rejected", arguments: [
        ("issuer", "https://login.microsoftonline.com/{tenantId}/v2.0"),
        ("v1_issuer", "https://sts.windows.net/{TenantID}/"),
    ])
    func placeholderCaseRejected(key: String, issuer: String) {
        let error = configurationError("""
            [api]
            \(key) = "\(issuer)"
            allowed_tenants = ["72f988bf-86f1-41af-91ab-2d7cd011db47"]
            jwks_uri = "https://login.microsoftonline.com/common/discovery/v2.0/keys"
            """)

        let reason = error?.reason ?? "none"
        #expect(reason.contains("api.\(key)"), "reason: \(reason)")
        #expect(reason.contains("{tenantid}"), "reason: \(reason)")
    }
}
