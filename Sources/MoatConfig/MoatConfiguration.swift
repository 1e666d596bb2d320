import Foundation
import MoatTOML

/// Everything `moat.toml` can set. Every key is optional: the defaults run
/// the three services on localhost with the embedded demo directory and corpus.
///
/// Keys (type, default):
/// - `data_dir` (string, `./data`): SQLite files, keys and secrets, created with mode 0600.
/// - `host` (string, `127.0.0.1`): address every service binds to.
/// - `log_level` (string, `info`): trace, debug, info, notice, warning, error or critical.
/// - `[idp]` `port` (integer, 8082), `directory` (string, embedded demo directory), `token_lifetime` (seconds, 3600).
/// - `[api]` `port` (integer, 8081), `issuer` (string, the dev IdP's), `audiences` (strings, the api app's client id
///   and App ID URI), `allowed_client_apps` (strings, the web app's client id), `leeway` (seconds, 60, at most 300),
///   `content_policy` (`stored`, `hashed` or `omitted`, `stored`): how prompts and answers are kept in the audit log.
/// - `[web]` `port` (integer, 8080), `public_base_url` (string, `http://127.0.0.1:<port>`), `client_id`,
///   `client_secret` (prefer the environment variable `MOAT_WEB_CLIENT_SECRET`), `api_scope` (string, `api://moat-api/Chat`).
/// - `[llm]` `endpoint` (URL; absent means extractive answers), `model`, `api_key_env` (name of the environment
///   variable holding the key, `MOAT_LLM_API_KEY`), `azure_key_header` (bool, false), `clearance` (string, `internal`).
/// - `[corpus]` `path` and `manifest` (strings; absent means the embedded demo corpus).
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
    public var gateway = Gateway()

    public struct IdentityProvider: Sendable, Equatable {
        public var port = 8082
        public var directory: String?
        public var tokenLifetime = 3600
    }

    public struct API: Sendable, Equatable {
        public var port = 8081
        public var issuer: String?
        public var audiences: [String] = []
        public var allowedClientApps: [String] = []
        public var leeway = 60
        public var contentPolicy = "stored"
    }

    public struct Web: Sendable, Equatable {
        public var port = 8080
        public var publicBaseURL: String?
        public var clientID: String?
        public var clientSecret: String?
        public var apiScope = "api://moat-api/Chat"
    }

    public struct LanguageModel: Sendable, Equatable {
        public var endpoint: String?
        public var model = "gpt-4o-mini"
        public var apiKeyEnvironmentVariable = "MOAT_LLM_API_KEY"
        public var azureKeyHeader = false
        public var clearance = "internal"
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
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError("cannot read configuration file \(path): \(error.localizedDescription)")
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
        try configuration.validate()
        return configuration
    }

    init(_ root: TOMLReader) throws {
        try root.rejectUnknownKeys(["data_dir", "host", "log_level", "idp", "api", "web", "llm", "corpus", "gateway"])
        dataDirectory = try root.optionalString("data_dir") ?? dataDirectory
        host = try root.optionalString("host") ?? host
        logLevel = try root.optionalString("log_level") ?? logLevel
        if let section = try root.optionalTable("idp") {
            try section.rejectUnknownKeys(["port", "directory", "token_lifetime"])
            idp.port = try section.optionalInteger("port", range: 0...65535).map(Int.init) ?? idp.port
            idp.directory = try section.optionalString("directory")
            idp.tokenLifetime = try section.optionalInteger("token_lifetime", range: 60...86_400).map(Int.init) ?? idp.tokenLifetime
        }
        if let section = try root.optionalTable("api") {
            try section.rejectUnknownKeys(["port", "issuer", "audiences", "allowed_client_apps", "leeway", "content_policy"])
            api.port = try section.optionalInteger("port", range: 0...65535).map(Int.init) ?? api.port
            api.issuer = try section.optionalString("issuer")
            api.audiences = try section.strings("audiences", default: [])
            api.allowedClientApps = try section.strings("allowed_client_apps", default: [])
            api.leeway = try section.optionalInteger("leeway", range: 0...300).map(Int.init) ?? api.leeway
            api.contentPolicy = try section.optionalString("content_policy") ?? api.contentPolicy
        }
        if let section = try root.optionalTable("web") {
            try section.rejectUnknownKeys(["port", "public_base_url", "client_id", "client_secret", "api_scope"])
            web.port = try section.optionalInteger("port", range: 0...65535).map(Int.init) ?? web.port
            web.publicBaseURL = try section.optionalString("public_base_url")
            web.clientID = try section.optionalString("client_id")
            web.clientSecret = try section.optionalString("client_secret")
            web.apiScope = try section.optionalString("api_scope") ?? web.apiScope
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
        if let section = try root.optionalTable("corpus") {
            try section.rejectUnknownKeys(["path", "manifest"])
            corpus.path = try section.optionalString("path")
            corpus.manifest = try section.optionalString("manifest")
        }
    }

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    static let contentPolicies = ["stored", "hashed", "omitted"]
    static let clearances = ["public", "internal", "confidential", "restricted"]

    /// Returns true when `endpoint` is an absolute http or https URL with a host.
    static func isHTTPURL(_ endpoint: String) -> Bool {
        guard let url = URL(string: endpoint) else { return false }
        return (url.scheme == "https" || url.scheme == "http") && url.host != nil
    }

    func validate() throws {
        guard Self.logLevels.contains(logLevel) else {
            throw ConfigurationError("log_level = \"\(logLevel)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        guard Self.contentPolicies.contains(api.contentPolicy) else {
            throw ConfigurationError("api.content_policy = \"\(api.contentPolicy)\" is not one of stored, hashed, omitted")
        }
        guard Self.clearances.contains(llm.clearance) else {
            throw ConfigurationError("llm.clearance = \"\(llm.clearance)\" is not one of public, internal, confidential, restricted")
        }
        if let endpoint = llm.endpoint {
            guard Self.isHTTPURL(endpoint) else {
                throw ConfigurationError("llm.endpoint = \"\(endpoint)\" is not an http(s) URL of a chat-completions endpoint")
            }
        }
        if (corpus.path == nil) != (corpus.manifest == nil) {
            throw ConfigurationError("corpus.path and corpus.manifest go together; set both or neither")
        }
        try gateway.validate()
    }
}
