import Foundation
import MoatTOML

/// Everything `moat.toml` can set. Every key is optional: the defaults run
/// the three services on localhost with the embedded demo directory and corpus.
///
/// Keys (type, default):
/// - `data_dir` (string, `./data`): SQLite files, keys and secrets, created with mode 0600.
/// - `host` (string, `127.0.0.1`): address every service binds to.
/// - `log_level` (string, `info`): trace, debug, info, notice, warning, error or critical.
/// - `[idp]` `port` (integer, 8082), `directory` (string, embedded demo directory), `token_lifetime` (seconds, 3600),
///   `public_base_url` (string, `http://<host>:<port>`): the address in the issuer and endpoints, for example behind a TLS proxy.
/// - `[api]` `port` (integer, 8081), `issuer` (string, the dev IdP's), `audiences` (strings, the api app's client id
///   and App ID URI), `allowed_client_apps` (strings, the web app's client id), `leeway` (seconds, 60, at most 300),
///   `role_clearance` (table of app role to classification; default Reader and Contributor `confidential`,
///   Admin and Restricted.Reader `restricted`): the highest classification each role may read.
///   Token rules for the issuer: `algorithms` (strings, `["RS256"]`; any of RS256, PS256, ES256, ES384, EdDSA),
///   `v1_issuer` (string, absent: v1.0 tokens rejected; Entra's is `https://sts.windows.net/{tenantid}/`),
///   `allowed_tenants` (strings, absent: the tenant in the issuer; required when the issuer contains `{tenantid}`),
///   `max_token_age` (seconds, 86400), `jwks_uri` (string, absent: from the issuer's discovery document).
///   Group overage: `group_overage` (`reject` or `resolve`, `reject`); `resolve` looks groups up at `graph_url`
///   (string, the dev IdP's address) with an app-only token for `client_id` (string, the api app's client id)
///   and `client_secret` (prefer the environment variable `MOAT_API_CLIENT_SECRET`).
/// - `[web]` `port` (integer, 8080), `public_base_url` (string, `http://127.0.0.1:<port>`), `client_id`,
///   `client_secret` (prefer the environment variable `MOAT_WEB_CLIENT_SECRET`), `api_scope` (string, `api://moat-api/Chat`),
///   `api_url` (string, `http://<host>:<api.port>`): where the web tier calls the api.
///   `front_door` (string, `moat-gateway`): what signs users in before the web tier of patterns 1 and 2.
///   With `moat-gateway` the tier requires the gateway's signed assertion. With `app-service` it requires
///   the tokens that App Service authentication forwards.
/// - `[llm]` `endpoint` (URL; absent means extractive answers), `model`, `api_key_env` (name of the environment
///   variable holding the key, `MOAT_LLM_API_KEY`), `azure_key_header` (bool, false), `clearance` (string, `internal`).
/// - `[corpus]` `path` and `manifest` (strings; absent means the embedded demo corpus).
/// - `[guardrails]` `actions` (table of rule id to `block`, `redact`, `flag` or `shadow`), `allow` (table of rule id
///   to strings the rule ignores), `roles_seeing_personal_data` (strings, none), `allowed_link_hosts` (strings, none).
/// - `[audit]` `prompt_policy` and `answer_policy` (`stored`, `redacted`, `keyed_hash` or `omitted`, `redacted`),
///   `checkpoint_every` (records, 1000), `checkpoint_interval` (seconds, 60), `fail_open` (bool, false),
///   `lock_timeout` (seconds, 2), `max_bytes` (integer, 0 for no cap), `retention_days` (integer, 0 keeps all),
///   `anchor_file` and `signing_key` (paths, in the data folder); see ``Audit``.
/// - `[gateway]`: see ``Gateway``.
///
/// Environment variables override the file: `MOAT_<SECTION>_<KEY>` in upper case (for example `MOAT_API_PORT=9081`),
/// and `MOAT_<KEY>` for top-level keys (`MOAT_DATA_DIR`).
public struct MoatConfiguration: Sendable, Equatable {
    public var dataDirectory = "./data"
    public var host = "127.0.0.1"
    public var logLevel = "info"
    public var idp = IdentityProvider()
    public var api = API()
    public var web = Web()
    public var llm = LanguageModel()
    public var corpus = Corpus()
    public var guardrails = Guardrails()
    public var audit = Audit()
    public var gateway = Gateway()

    public struct IdentityProvider: Sendable, Equatable {
        public var port = 8082
        public var directory: String?
        public var tokenLifetime = 3600
        public var publicBaseURL: String?
    }

    public struct API: Sendable, Equatable {
        public var port = 8081
        public var issuer: String?
        public var audiences: [String] = []
        public var allowedClientApps: [String] = []
        public var leeway = 60
        /// App role name to the highest classification it may read; empty means the api's defaults.
        public var roleClearance: [String: String] = [:]
        public var algorithms = ["RS256"]
        public var v1Issuer: String?
        public var allowedTenants: [String] = []
        public var maxTokenAge = 86_400
        public var jwksURI: String?
        public var groupOverage = "reject"
        public var graphURL: String?
        public var clientID: String?
        public var clientSecret: String?
    }

    public struct Web: Sendable, Equatable {
        public var port = 8080
        public var publicBaseURL: String?
        public var clientID: String?
        public var clientSecret: String?
        public var apiScope = "api://moat-api/Chat"
        /// Base URL of the api as the web tier reaches it; nil means `http://<host>:<api.port>`.
        public var apiURL: String?
        /// The front door of patterns 1 and 2, one of ``frontDoors``: `moat-gateway` (default) or `app-service`.
        public var frontDoor = "moat-gateway"

        /// The accepted values of `web.front_door`.
        public static let frontDoors = ["moat-gateway", "app-service"]
    }

    public struct LanguageModel: Sendable, Equatable {
        public var endpoint: String?
        public var model = "gpt-4o-mini"
        public var apiKeyEnvironmentVariable = "MOAT_LLM_API_KEY"
        public var azureKeyHeader = false
        public var clearance = "internal"
    }

    /// `[guardrails]`: tuning of the built-in guardrails without code. Rule ids are those of `moat guard scan`.
    public struct Guardrails: Sendable, Equatable {
        /// Rule id to action (`block`, `redact`, `flag`, `shadow`); unlisted rules keep their defaults.
        public var actions: [String: String] = [:]
        /// Rule id to values that rule never fires on, for example a support address for `pii.email`.
        public var allow: [String: [String]] = [:]
        /// App roles that see personal data in answers unredacted. Default none.
        public var rolesSeeingPersonalData: [String] = []
        /// Hosts that links and images in answers may point to. Default none.
        public var allowedLinkHosts: [String] = []
    }

    public struct Corpus: Sendable, Equatable {
        public var path: String?
        public var manifest: String?
    }

    public init() {}

    /// Reads a configuration file, then applies environment overrides.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MoatConfiguration {
        var text = ""
        if let path {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigurationError("configuration file \(path) does not exist; check the path given to --config")
            }
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError("cannot read configuration file \(path) as UTF-8 text: \(error.localizedDescription)")
            }
        }
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(text)
        } catch {
            throw ConfigurationError("\(path ?? "configuration"): \(error)")
        }
        var configuration = try MoatConfiguration(TOMLReader(table: table))
        try configuration.applyEnvironment(environment)
        try configuration.normaliseIdentifiers()
        try configuration.validate()
        return configuration
    }

    init(_ root: TOMLReader) throws {
        try root.rejectUnknownKeys(["data_dir", "host", "log_level", "idp", "api", "web", "llm", "corpus", "audit", "guardrails", "gateway"])
        dataDirectory = try root.optionalString("data_dir") ?? dataDirectory
        host = try root.optionalString("host") ?? host
        logLevel = try root.optionalString("log_level") ?? logLevel
        if let section = try root.optionalTable("idp") {
            try section.rejectUnknownKeys(["port", "directory", "token_lifetime", "public_base_url"])
            idp.port = try section.optionalInteger("port", range: 0...65535).map(Int.init) ?? idp.port
            idp.directory = try section.optionalString("directory")
            idp.tokenLifetime = try section.optionalInteger("token_lifetime", range: 60...86_400).map(Int.init) ?? idp.tokenLifetime
            idp.publicBaseURL = try section.optionalString("public_base_url")
        }
        if let section = try root.optionalTable("api") {
            if (try section.optionalString("content_policy")) != nil {
                throw ConfigurationError("api.content_policy moved to the [audit] section as prompt_policy and answer_policy (stored, redacted, keyed_hash, omitted)")
            }
            try section.rejectUnknownKeys([
                "port", "issuer", "audiences", "allowed_client_apps", "leeway", "role_clearance", "algorithms",
                "v1_issuer", "allowed_tenants", "max_token_age", "jwks_uri", "group_overage", "graph_url", "client_id", "client_secret",
            ])
            api.port = try section.optionalInteger("port", range: 0...65535).map(Int.init) ?? api.port
            api.issuer = try section.optionalString("issuer")
            api.audiences = try section.strings("audiences", default: [])
            api.allowedClientApps = try section.strings("allowed_client_apps", default: [])
            api.leeway = try section.optionalInteger("leeway", range: 0...300).map(Int.init) ?? api.leeway
            if let clearance = try section.optionalTable("role_clearance") {
                for role in clearance.table.keys {
                    api.roleClearance[role] = try clearance.string(role)
                }
            }
            api.algorithms = try section.strings("algorithms", default: api.algorithms)
            api.v1Issuer = try section.optionalString("v1_issuer")
            api.allowedTenants = try section.strings("allowed_tenants", default: [])
            api.maxTokenAge = try section.optionalInteger("max_token_age", range: 60...2_592_000).map(Int.init) ?? api.maxTokenAge
            api.jwksURI = try section.optionalString("jwks_uri")
            api.groupOverage = try section.optionalString("group_overage") ?? api.groupOverage
            api.graphURL = try section.optionalString("graph_url")
            api.clientID = try section.optionalString("client_id")
            api.clientSecret = try section.optionalString("client_secret")
        }
        if let section = try root.optionalTable("web") {
            try section.rejectUnknownKeys(["port", "public_base_url", "client_id", "client_secret", "api_scope", "api_url", "front_door"])
            web.port = try section.optionalInteger("port", range: 0...65535).map(Int.init) ?? web.port
            web.publicBaseURL = try section.optionalString("public_base_url")
            web.clientID = try section.optionalString("client_id")
            web.clientSecret = try section.optionalString("client_secret")
            web.apiScope = try section.optionalString("api_scope") ?? web.apiScope
            web.apiURL = try section.optionalString("api_url")
            web.frontDoor = try section.optionalString("front_door") ?? web.frontDoor
        }
        if let section = try root.optionalTable("llm") {
            try section.rejectUnknownKeys(["endpoint", "model", "api_key_env", "azure_key_header", "clearance"])
            llm.endpoint = try section.optionalString("endpoint")
            llm.model = try section.optionalString("model") ?? llm.model
            llm.apiKeyEnvironmentVariable = try section.optionalString("api_key_env") ?? llm.apiKeyEnvironmentVariable
            llm.azureKeyHeader = try section.optionalBool("azure_key_header") ?? llm.azureKeyHeader
            llm.clearance = try section.optionalString("clearance") ?? llm.clearance
        }
        if let section = try root.optionalTable("gateway") {
            try gateway.read(section)
        }
        if let section = try root.optionalTable("guardrails") {
            try section.rejectUnknownKeys(["actions", "allow", "roles_seeing_personal_data", "allowed_link_hosts"])
            if let actions = try section.optionalTable("actions") {
                for rule in actions.table.keys {
                    let action = try actions.string(rule)
                    guard Self.guardActions.contains(action) else {
                        throw ConfigurationError("guardrails.actions.\(rule) = \"\(action)\" is not one of \(Self.guardActions.joined(separator: ", "))")
                    }
                    guardrails.actions[rule] = action
                }
            }
            if let allow = try section.optionalTable("allow") {
                for rule in allow.table.keys {
                    guardrails.allow[rule] = try allow.strings(rule, default: [])
                }
            }
            guardrails.rolesSeeingPersonalData = try section.strings("roles_seeing_personal_data", default: [])
            guardrails.allowedLinkHosts = try section.strings("allowed_link_hosts", default: [])
        }
        if let section = try root.optionalTable("corpus") {
            try section.rejectUnknownKeys(["path", "manifest"])
            corpus.path = try section.optionalString("path")
            corpus.manifest = try section.optionalString("manifest")
        }
        if let section = try root.optionalTable("audit") {
            try readAudit(section)
        }
    }

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    static let clearances = ["public", "internal", "confidential", "restricted"]
    static let guardActions = ["block", "redact", "flag", "shadow"]

    /// Returns true when `endpoint` is an absolute http or https URL with a host.
    static func isHTTPURL(_ endpoint: String) -> Bool {
        guard let url = URL(string: endpoint) else { return false }
        return (url.scheme == "https" || url.scheme == "http") && url.host != nil
    }

    func validate() throws {
        guard Self.logLevels.contains(logLevel) else {
            throw ConfigurationError("log_level = \"\(logLevel)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        for (role, level) in api.roleClearance.sorted(by: { $0.key < $1.key }) where !Self.clearances.contains(level) {
            throw ConfigurationError("api.role_clearance.\(role) = \"\(level)\" is not one of public, internal, confidential, restricted")
        }
        try validateTokenRules()
        try validateAudit()
        guard Self.clearances.contains(llm.clearance) else {
            throw ConfigurationError("llm.clearance = \"\(llm.clearance)\" is not one of public, internal, confidential, restricted")
        }
        if let endpoint = llm.endpoint {
            guard Self.isHTTPURL(endpoint) else {
                throw ConfigurationError("llm.endpoint = \"\(endpoint)\" is not an http(s) URL of a chat-completions endpoint")
            }
        }
        guard Web.frontDoors.contains(web.frontDoor) else {
            throw ConfigurationError("web.front_door = \"\(web.frontDoor)\" is not one of moat-gateway, app-service")
        }
        if (corpus.path == nil) != (corpus.manifest == nil) {
            throw ConfigurationError("corpus.path and corpus.manifest go together; set both or neither")
        }
        try gateway.validate()
    }
}

extension MoatConfiguration {
    /// Signature algorithms the api can be told to accept.
    static let supportedAlgorithms = ["RS256", "PS256", "ES256", "ES384", "EdDSA"]

    /// Checks the api's token settings, failing closed on a multi-tenant issuer without a tenant allow-list.
    func validateTokenRules() throws {
        if let unknown = api.algorithms.first(where: { !Self.supportedAlgorithms.contains($0) }) {
            throw ConfigurationError("api.algorithms contains \"\(unknown)\"; use RS256, PS256, ES256, ES384 or EdDSA")
        }
        guard !api.algorithms.isEmpty else {
            throw ConfigurationError("api.algorithms is empty, so no token could be accepted; list at least one algorithm")
        }
        let templates = [api.issuer, api.v1Issuer].compactMap { $0 }.filter { $0.contains("{tenantid}") }
        if !templates.isEmpty, api.allowedTenants.isEmpty {
            throw ConfigurationError("api issuer \(templates[0]) accepts any tenant; set api.allowed_tenants to the tenant ids that may call")
        }
        if let issuer = api.issuer, issuer.contains("{tenantid}"), api.jwksURI == nil {
            throw ConfigurationError("api.issuer \(issuer) is a template, so it has no discovery document; set api.jwks_uri (for Entra ID: https://login.microsoftonline.com/common/discovery/v2.0/keys)")
        }
        for (key, value) in [("api.jwks_uri", api.jwksURI), ("api.graph_url", api.graphURL), ("api.issuer", api.issuer)] {
            if let value, !Self.isHTTPURL(value.replacingOccurrences(of: "{tenantid}", with: "tenant")) {
                throw ConfigurationError("\(key) = \"\(value)\" is not an http(s) URL")
            }
        }
        guard ["reject", "resolve"].contains(api.groupOverage) else {
            throw ConfigurationError("api.group_overage = \"\(api.groupOverage)\" is not one of reject, resolve")
        }
    }
}
