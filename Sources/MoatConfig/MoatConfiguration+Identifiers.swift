import Foundation

extension MoatConfiguration {
    /// Checks tenant and client id lists and issuer templates, and lower-cases GUID entries.
    ///
    /// Entra ID and the dev IdP put lower-case GUIDs in `tid`, `azp` and `appid`, so an entry
    /// in another form could never match a token. Rejecting it at start-up turns a silent 403
    /// on every request into an error that names the setting.
    mutating func normaliseIdentifiers() throws {
        for (setting, issuer) in [("api.issuer", api.issuer), ("api.v1_issuer", api.v1Issuer), ("gateway.issuer", gateway.issuer)] {
            try Self.checkTemplatePlaceholder(issuer, setting: setting)
        }
        api.allowedTenants = try Self.tenantIDs(api.allowedTenants, setting: "api.allowed_tenants")
        gateway.allowedTenants = try Self.tenantIDs(gateway.allowedTenants, setting: "gateway.allowed_tenants")
        if Self.usesGUIDClientIDs(issuer: api.issuer) {
            api.allowedClientApps = try Self.clientIDs(api.allowedClientApps, setting: "api.allowed_client_apps")
        }
        if Self.usesGUIDClientIDs(issuer: gateway.issuer) {
            gateway.allowedClientApps = try Self.clientIDs(gateway.allowedClientApps, setting: "gateway.allowed_client_apps")
        }
    }

    static func tenantIDs(_ entries: [String], setting: String) throws -> [String] {
        try entries.map { entry in
            guard UUID(uuidString: entry) != nil else {
                throw ConfigurationError(
                    "\(setting) entry \"\(entry)\" is not a tenant id; Entra tenant ids are GUIDs (the token's tid claim), "
                        + "for example 72f988bf-86f1-41af-91ab-2d7cd011db47, not a domain name"
                )
            }
            return entry.lowercased()
        }
    }

    static func clientIDs(_ entries: [String], setting: String) throws -> [String] {
        try entries.map { entry in
            guard UUID(uuidString: entry) != nil else {
                throw ConfigurationError(
                    "\(setting) entry \"\(entry)\" is not a client id; Entra ID and the dev IdP use GUIDs (the token's azp or appid claim). "
                        + "Use the app's Application (client) ID; the dev IdP's directory lists each app's client_id"
                )
            }
            return entry.lowercased()
        }
    }

    /// Host names of Entra ID's sign-in and v1.0 token services in the public and national clouds.
    static let entraHosts: Set<String> = [
        "login.microsoftonline.com", "sts.windows.net", "login.microsoftonline.us", "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    ]

    /// Returns true when tokens of `issuer` identify apps by GUID client ids: the dev IdP (no issuer set),
    /// Entra ID's hosts, and issuers whose first path segment is a tenant GUID or `{tenantid}`.
    ///
    /// Other OpenID providers (Keycloak, Auth0) use names as client ids in `azp`, so their lists
    /// are taken as written.
    static func usesGUIDClientIDs(issuer: String?) -> Bool {
        guard let issuer else { return true }
        guard let url = URL(string: issuer.replacingOccurrences(of: "{tenantid}", with: "00000000-0000-0000-0000-000000000000")) else {
            return false
        }
        if let host = url.host?.lowercased(), entraHosts.contains(host) {
            return true
        }
        let segments = url.path.split(separator: "/")
        guard let first = segments.first else { return false }
        return UUID(uuidString: String(first)) != nil
    }

    /// Rejects a tenant placeholder spelt other than `{tenantid}`, which would otherwise be compared as literal text.
    static func checkTemplatePlaceholder(_ issuer: String?, setting: String) throws {
        guard let issuer else { return }
        let lowered = issuer.lowercased()
        guard lowered.contains("{tenantid}") else { return }
        guard issuer.contains("{tenantid}") else {
            throw ConfigurationError(
                "\(setting) = \"\(issuer)\" spells the tenant placeholder in another case; write {tenantid} in lower case"
            )
        }
    }
}
