import Foundation

extension MoatConfiguration {
    /// Applies every `MOAT_*` override present in `environment`; an empty variable counts as unset.
    ///
    /// - Throws: ``ConfigurationError`` naming the variable and its value when the
    ///   value is not a valid integer, boolean, choice or URL for its setting.
    mutating func applyEnvironment(_ environment: [String: String]) throws {
        func string(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        func integer(_ name: String, range: ClosedRange<Int>) throws -> Int? {
            guard let text = string(name) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigurationError("environment variable \(name)=\(text) is not an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        func list(_ name: String) -> [String]? {
            string(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        // Booleans take the TOML spellings only, so a typo such as `yes` is an error instead of false.
        func bool(_ name: String) throws -> Bool? {
            guard let text = string(name) else { return nil }
            switch text {
            case "true": return true
            case "false": return false
            default: throw ConfigurationError("environment variable \(name)=\(text) is not true or false")
            }
        }
        func choice(_ name: String, _ allowed: [String]) throws -> String? {
            guard let text = string(name) else { return nil }
            guard allowed.contains(text) else {
                throw ConfigurationError("environment variable \(name)=\(text) is not one of \(allowed.joined(separator: ", "))")
            }
            return text
        }
        func url(_ name: String) throws -> String? {
            guard let text = string(name) else { return nil }
            guard Self.isHTTPURL(text) else {
                throw ConfigurationError("environment variable \(name)=\(text) is not an http(s) URL of a chat-completions endpoint")
            }
            return text
        }
        dataDirectory = string("MOAT_DATA_DIR") ?? dataDirectory
        host = string("MOAT_HOST") ?? host
        logLevel = try choice("MOAT_LOG_LEVEL", Self.logLevels) ?? logLevel
        idp.port = try integer("MOAT_IDP_PORT", range: 0...65535) ?? idp.port
        idp.directory = string("MOAT_IDP_DIRECTORY") ?? idp.directory
        idp.tokenLifetime = try integer("MOAT_IDP_TOKEN_LIFETIME", range: 60...86_400) ?? idp.tokenLifetime
        api.port = try integer("MOAT_API_PORT", range: 0...65535) ?? api.port
        api.issuer = string("MOAT_API_ISSUER") ?? api.issuer
        api.audiences = list("MOAT_API_AUDIENCES") ?? api.audiences
        api.allowedClientApps = list("MOAT_API_ALLOWED_CLIENT_APPS") ?? api.allowedClientApps
        api.leeway = try integer("MOAT_API_LEEWAY", range: 0...300) ?? api.leeway
        api.contentPolicy = try choice("MOAT_API_CONTENT_POLICY", Self.contentPolicies) ?? api.contentPolicy
        web.port = try integer("MOAT_WEB_PORT", range: 0...65535) ?? web.port
        web.publicBaseURL = string("MOAT_WEB_PUBLIC_BASE_URL") ?? web.publicBaseURL
        web.clientID = string("MOAT_WEB_CLIENT_ID") ?? web.clientID
        web.clientSecret = string("MOAT_WEB_CLIENT_SECRET") ?? web.clientSecret
        web.apiScope = string("MOAT_WEB_API_SCOPE") ?? web.apiScope
        llm.endpoint = try url("MOAT_LLM_ENDPOINT") ?? llm.endpoint
        llm.model = string("MOAT_LLM_MODEL") ?? llm.model
        llm.apiKeyEnvironmentVariable = string("MOAT_LLM_API_KEY_ENV") ?? llm.apiKeyEnvironmentVariable
        llm.azureKeyHeader = try bool("MOAT_LLM_AZURE_KEY_HEADER") ?? llm.azureKeyHeader
        llm.clearance = try choice("MOAT_LLM_CLEARANCE", Self.clearances) ?? llm.clearance
        corpus.path = string("MOAT_CORPUS_PATH") ?? corpus.path
        corpus.manifest = string("MOAT_CORPUS_MANIFEST") ?? corpus.manifest
        try gateway.applyEnvironment(environment)
    }
}
