import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension MoatConfiguration {
    /// The `[gateway]` section: `moat gateway` and the front door of `moat up --pattern 1` and `--pattern 2`.
    ///
    /// Keys (type, default):
    /// - `port` (integer, 8000); `public_base_url` (string, `http://<host>:<port>`).
    /// - `upstream` (http(s) URL): the app behind the gateway; required by `moat gateway`.
    /// - `issuer` (string, the dev IdP's); `client_id`, `client_secret` (prefer the environment
    ///   variable `MOAT_GATEWAY_CLIENT_SECRET`); `scopes` (strings, `openid profile offline_access`);
    ///   `provider` (string, `aad`), the name in `/.auth/login/<provider>`.
    /// - `audiences` (strings): bearer tokens accepted for these audiences; empty accepts no bearer token.
    /// - `allowed_client_apps`, `allowed_tenants`, `allowed_principals` (strings, empty).
    /// - `excluded_paths` (strings, `["/healthz"]`): exact normalised paths served without sign-in.
    /// - `api_path_prefixes` (strings, empty): unauthenticated requests under these get 401, never a redirect.
    /// - `allowed_return_hosts`, `trusted_proxies` (strings, empty).
    /// - `forward_tokens` (bool, false); `preserve_host` (bool, true).
    /// - `idle_timeout` (seconds, 1800), `absolute_timeout` (seconds, 28800).
    /// - `connect_timeout` (seconds, 5), `read_timeout` (seconds, 60).
    /// - `upstream_ca_file` (path, none): a PEM bundle that verifies an https upstream's certificate
    ///   instead of the system's trusted CAs; `MOAT_GATEWAY_UPSTREAM_CA_FILE` overrides it.
    /// - `max_body_bytes` (integer, 104857600), `max_header_bytes` (integer, 16384).
    /// - `[[gateway.rules]]` with `path_prefix` (string), `roles` and `groups` (strings).
    public struct Gateway: Sendable, Equatable {
        public var port = 8000
        public var publicBaseURL: String?
        public var upstream: String?
        public var issuer: String?
        public var clientID: String?
        public var clientSecret: String?
        public var scopes = ["openid", "profile", "offline_access"]
        public var provider = "aad"
        public var audiences: [String] = []
        public var allowedClientApps: [String] = []
        public var allowedTenants: [String] = []
        public var allowedPrincipals: [String] = []
        public var excludedPaths = ["/healthz"]
        public var apiPathPrefixes: [String] = []
        public var allowedReturnHosts: [String] = []
        public var trustedProxies: [String] = []
        public var forwardTokens = false
        public var preserveHost = true
        public var idleTimeout = 1800
        public var absoluteTimeout = 28_800
        public var connectTimeout = 5
        public var readTimeout = 60
        public var upstreamCAFile: String?
        public var maxBodyBytes = 100 << 20
        public var maxHeaderBytes = 16 * 1024
        public var rules: [Rule] = []

        /// Requirements for the paths under one prefix.
        public struct Rule: Sendable, Equatable {
            public var pathPrefix: String
            public var roles: [String]
            public var groups: [String]

            public init(pathPrefix: String, roles: [String] = [], groups: [String] = []) {
                self.pathPrefix = pathPrefix
                self.roles = roles
                self.groups = groups
            }
        }

        public init() {}

        static let keys: Set<String> = [
            "port", "public_base_url", "upstream", "issuer", "client_id", "client_secret", "scopes", "provider", "audiences",
            "allowed_client_apps", "allowed_tenants", "allowed_principals", "excluded_paths", "api_path_prefixes",
            "allowed_return_hosts", "trusted_proxies", "forward_tokens", "preserve_host", "idle_timeout", "absolute_timeout",
            "connect_timeout", "read_timeout", "max_body_bytes", "max_header_bytes", "rules", "upstream_ca_file",
        ]

        mutating func read(_ section: TOMLReader) throws {
            try section.rejectUnknownKeys(Self.keys)
            port = try section.optionalInteger("port", range: 0...65535).map(Int.init) ?? port
            publicBaseURL = try section.optionalString("public_base_url")
            upstream = try section.optionalString("upstream")
            issuer = try section.optionalString("issuer")
            clientID = try section.optionalString("client_id")
            clientSecret = try section.optionalString("client_secret")
            scopes = try section.strings("scopes", default: scopes)
            provider = try section.optionalString("provider") ?? provider
            audiences = try section.strings("audiences", default: audiences)
            allowedClientApps = try section.strings("allowed_client_apps", default: allowedClientApps)
            allowedTenants = try section.strings("allowed_tenants", default: allowedTenants)
            allowedPrincipals = try section.strings("allowed_principals", default: allowedPrincipals)
            excludedPaths = try section.strings("excluded_paths", default: excludedPaths)
            apiPathPrefixes = try section.strings("api_path_prefixes", default: apiPathPrefixes)
            allowedReturnHosts = try section.strings("allowed_return_hosts", default: allowedReturnHosts)
            trustedProxies = try section.strings("trusted_proxies", default: trustedProxies)
            forwardTokens = try section.optionalBool("forward_tokens") ?? forwardTokens
            preserveHost = try section.optionalBool("preserve_host") ?? preserveHost
            idleTimeout = try section.optionalInteger("idle_timeout", range: 60...604_800).map(Int.init) ?? idleTimeout
            absoluteTimeout = try section.optionalInteger("absolute_timeout", range: 60...2_592_000).map(Int.init) ?? absoluteTimeout
            connectTimeout = try section.optionalInteger("connect_timeout", range: 1...300).map(Int.init) ?? connectTimeout
            readTimeout = try section.optionalInteger("read_timeout", range: 1...86_400).map(Int.init) ?? readTimeout
            upstreamCAFile = try section.optionalString("upstream_ca_file")
            maxBodyBytes = try section.optionalInteger("max_body_bytes", range: 0...(1 << 40)).map(Int.init) ?? maxBodyBytes
            maxHeaderBytes = try section.optionalInteger("max_header_bytes", range: 1024...(1 << 20)).map(Int.init) ?? maxHeaderBytes
            rules = try section.tables("rules").map { rule in
                try rule.rejectUnknownKeys(["path_prefix", "roles", "groups"])
                let prefix = try rule.string("path_prefix")
                guard prefix.hasPrefix("/") else {
                    throw ConfigurationError("\(rule.keyPath("path_prefix")) = \"\(prefix)\" must start with /")
                }
                return Rule(pathPrefix: prefix, roles: try rule.strings("roles", default: []), groups: try rule.strings("groups", default: []))
            }
        }

        /// The environment variables ``applyEnvironment(_:)`` reads.
        static let environmentNames: Set<String> = [
            "MOAT_GATEWAY_PORT", "MOAT_GATEWAY_FORWARD_TOKENS", "MOAT_GATEWAY_PUBLIC_BASE_URL", "MOAT_GATEWAY_UPSTREAM",
            "MOAT_GATEWAY_ISSUER", "MOAT_GATEWAY_CLIENT_ID", "MOAT_GATEWAY_CLIENT_SECRET", "MOAT_GATEWAY_AUDIENCES",
            "MOAT_GATEWAY_ALLOWED_CLIENT_APPS", "MOAT_GATEWAY_EXCLUDED_PATHS", "MOAT_GATEWAY_TRUSTED_PROXIES",
            "MOAT_GATEWAY_UPSTREAM_CA_FILE",
        ]

        /// Applies the `MOAT_GATEWAY_*` overrides; lists are comma-separated.
        mutating func applyEnvironment(_ environment: [String: String]) throws {
            func string(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            func list(_ name: String) -> [String]? {
                string(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            }
            if let text = string("MOAT_GATEWAY_PORT") {
                guard let value = Int(text), (0...65535).contains(value) else {
                    throw ConfigurationError("environment variable MOAT_GATEWAY_PORT=\(text) is not an integer from 0 to 65535")
                }
                port = value
            }
            if let text = string("MOAT_GATEWAY_FORWARD_TOKENS") {
                guard text == "true" || text == "false" else {
                    throw ConfigurationError("environment variable MOAT_GATEWAY_FORWARD_TOKENS=\(text) is not true or false")
                }
                forwardTokens = text == "true"
            }
            publicBaseURL = string("MOAT_GATEWAY_PUBLIC_BASE_URL") ?? publicBaseURL
            upstream = string("MOAT_GATEWAY_UPSTREAM") ?? upstream
            issuer = string("MOAT_GATEWAY_ISSUER") ?? issuer
            clientID = string("MOAT_GATEWAY_CLIENT_ID") ?? clientID
            clientSecret = string("MOAT_GATEWAY_CLIENT_SECRET") ?? clientSecret
            audiences = list("MOAT_GATEWAY_AUDIENCES") ?? audiences
            allowedClientApps = list("MOAT_GATEWAY_ALLOWED_CLIENT_APPS") ?? allowedClientApps
            excludedPaths = list("MOAT_GATEWAY_EXCLUDED_PATHS") ?? excludedPaths
            trustedProxies = list("MOAT_GATEWAY_TRUSTED_PROXIES") ?? trustedProxies
            upstreamCAFile = string("MOAT_GATEWAY_UPSTREAM_CA_FILE") ?? upstreamCAFile
        }

        /// Checks the section's values, as loading does. Call it again after a
        /// command-line option such as `--upstream` changes one.
        public func validate() throws {
            if let upstream, !MoatConfiguration.isHTTPURL(upstream) {
                throw ConfigurationError("gateway.upstream = \"\(upstream)\" is not an http(s) URL such as http://127.0.0.1:8501")
            }
            if let upstream, let url = URL(string: upstream) {
                // The gateway forwards each request's own path and query to the upstream's origin, so
                // anything else in the URL would be dropped silently; credentials would also be printed.
                if (url.host ?? "").isEmpty {
                    throw ConfigurationError("gateway.upstream = \"\(upstream)\" has no host; give one, such as http://127.0.0.1:8501")
                }
                if url.user != nil || url.password != nil {
                    throw ConfigurationError("gateway.upstream must not contain a user name or password; the upstream trusts the gateway's identity headers instead")
                }
                if !(url.path.isEmpty || url.path == "/") || url.query != nil || url.fragment != nil {
                    throw ConfigurationError("gateway.upstream = \"\(upstream)\" has a path or query, which the gateway does not use; give only scheme, host and port")
                }
                if let port = url.port, !(1...65535).contains(port) {
                    throw ConfigurationError("gateway.upstream = \"\(upstream)\" has port \(port), outside 1 to 65535")
                }
            }
            for (key, value) in [("gateway.public_base_url", publicBaseURL), ("gateway.issuer", issuer)] {
                if let value, !MoatConfiguration.isHTTPURL(value) {
                    throw ConfigurationError("\(key) = \"\(value)\" is not an http(s) URL such as https://chat.example.com")
                }
            }
            for proxy in trustedProxies where !Self.isIPAddress(proxy) {
                throw ConfigurationError("gateway.trusted_proxies entry \"\(proxy)\" is not an IP address; ranges are not supported, list each proxy address")
            }
            for host in allowedReturnHosts where host.contains("/") || host.contains("@") || host.isEmpty {
                throw ConfigurationError("gateway.allowed_return_hosts entry \"\(host)\" must be a host or host:port, without scheme or path")
            }
            for path in excludedPaths where !path.hasPrefix("/") {
                throw ConfigurationError("gateway.excluded_paths entry \"\(path)\" must start with /")
            }
            guard absoluteTimeout >= idleTimeout else {
                throw ConfigurationError("gateway.absolute_timeout (\(absoluteTimeout) s) must not be shorter than gateway.idle_timeout (\(idleTimeout) s)")
            }
        }

        static func isIPAddress(_ text: String) -> Bool {
            var v4 = in_addr()
            var v6 = in6_addr()
            return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
        }
    }
}
