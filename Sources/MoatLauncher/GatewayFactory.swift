import Foundation
import MoatConfig
import MoatCore
import MoatCrypto
import MoatDevIdP
import MoatGateway
import MoatHTTP
import MoatIdentity

/// Builds `moat gateway` from the configuration.
enum GatewayFactory {
    /// The name of the gateway's app registration in the dev identity provider's directory.
    static let appName = "moat-gateway"

    /// The gateway and the settings of the server that runs it.
    static func make(
        _ configuration: MoatConfiguration, data: DataFolder, issuer: String, gatewayURL: String, upstream: String,
        clientID: String, clientSecret: String, scopes: [String], bearerAudiences: [String], bearerClients: [String],
        forwardTokens: Bool? = nil, logger: Logger
    ) throws -> (Gateway, HTTPServerConfiguration) {
        let settings = configuration.gateway
        guard let upstreamURL = URL(string: upstream), MoatConfigurationURL.isHTTP(upstream) else {
            throw LaunchError("the gateway upstream \"\(upstream)\" is not an http(s) URL; set gateway.upstream or pass --upstream")
        }
        let keys = KeySetCache(source: HTTPKeySetSource(issuer: issuer), logger: logger)
        let signIn = RelyingPartyConfiguration(
            issuer: issuer, clientID: clientID, clientSecret: clientSecret,
            redirectURI: gatewayURL + "/.auth/login/\(settings.provider)/callback", scopes: scopes,
            allowedTenants: settings.allowedTenants
        )
        let bearer = bearerAudiences.isEmpty
            ? nil
            : AccessTokenPolicy(issuer: issuer, audiences: bearerAudiences, allowedClientApps: bearerClients, allowedTenants: settings.allowedTenants)
        let gatewayConfiguration = GatewayConfiguration(
            publicBaseURL: gatewayURL, upstream: upstreamURL, signIn: signIn, bearerPolicy: bearer,
            cookieKey: try data.secret(named: "gateway-cookie.key", byteCount: 32),
            providerName: settings.provider,
            accessPolicy: GatewayAccessPolicy(
                allowedPrincipals: settings.allowedPrincipals, allowedTenants: settings.allowedTenants,
                rules: settings.rules.map { GatewayAccessPolicy.PathRule(pathPrefix: $0.pathPrefix, roles: $0.roles, groups: $0.groups) }
            ),
            excludedPaths: settings.excludedPaths, apiPathPrefixes: settings.apiPathPrefixes,
            allowedReturnHosts: settings.allowedReturnHosts, trustedProxies: settings.trustedProxies,
            forwardTokens: forwardTokens ?? settings.forwardTokens, preserveHost: settings.preserveHost,
            idleTimeout: TimeInterval(settings.idleTimeout), absoluteTimeout: TimeInterval(settings.absoluteTimeout),
            connectTimeout: TimeInterval(settings.connectTimeout), readTimeout: TimeInterval(settings.readTimeout),
            upstreamCAFile: settings.upstreamCAFile,
            revocationFile: data.url.appendingPathComponent("gateway-signouts.sqlite").path
        )
        let gateway = try Gateway(
            configuration: gatewayConfiguration, keys: keys, assertionKey: try assertionKey(data), logger: logger
        )
        let server = HTTPServerConfiguration(
            host: configuration.host, port: 0, maxHeaderBytes: settings.maxHeaderBytes, maxBodyBytes: settings.maxBodyBytes,
            connectionTimeout: TimeInterval(max(settings.readTimeout, 30)), concurrency: .eventLoopPerProcessor
        )
        return (gateway, server)
    }

    /// The P-256 key that signs the assertion header, kept in the data folder (mode 0600).
    static func assertionKey(_ data: DataFolder) throws -> PrivateKey {
        let file = data.url.appendingPathComponent("gateway-assertion-key.pem")
        if let pem = try? String(contentsOf: file, encoding: .utf8) {
            return try PrivateKey(pem: pem)
        }
        let key = try PrivateKey.generateEC(curve: .p256)
        guard FileManager.default.createFile(atPath: file.path, contents: Data(key.pemEncoded().utf8), attributes: [.posixPermissions: 0o600]) else {
            throw LaunchError("cannot write \(file.path); check that the data folder is writable")
        }
        return key
    }

    /// The client secret the dev identity provider knows the gateway by, kept in the data folder.
    static func devClientSecret(_ data: DataFolder) throws -> String {
        try data.secret(named: "gateway-client.secret", byteCount: 24).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The directory text with the gateway's app registration appended, unless it already has one.
    static func directoryText(_ text: String, gatewayURL: String, secret: String, provider: String) -> String {
        guard !text.contains("name = \"\(appName)\"") else { return text }
        return text + """

            # Added by moat: the gateway's own app registration.
            [[apps]]
            name = "\(appName)"
            client_id = "6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c"
            object_id = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
            client_secret = "\(secret)"
            redirect_uris = ["\(gatewayURL)/.auth/login/\(provider)/callback"]
            post_logout_redirect_uris = ["\(gatewayURL)/.auth/logout/complete"]

            """
    }
}

/// URL checks shared by the launcher's factories.
enum MoatConfigurationURL {
    static func isHTTP(_ text: String) -> Bool {
        guard let url = URL(string: text) else { return false }
        return (url.scheme == "https" || url.scheme == "http") && url.host != nil
    }
}

extension Directory {
    /// Points the gateway's redirect and post-logout URIs at `baseURL`.
    func registeringGateway(at baseURL: String, provider: String) -> Directory {
        var copy = self
        copy.apps = apps.map { app in
            guard app.name == GatewayFactory.appName else { return app }
            var updated = app
            updated.redirectURIs = [baseURL + "/.auth/login/\(provider)/callback"]
            updated.postLogoutRedirectURIs = [baseURL + "/.auth/logout/complete"]
            return updated
        }
        return copy
    }
}
