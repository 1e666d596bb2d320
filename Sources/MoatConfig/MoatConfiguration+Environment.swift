import Foundation

extension MoatConfiguration {
    /// Applies every `MOAT_*` override present in `environment`; an empty variable counts as unset.
    ///
    /// - Throws: ``ConfigurationError`` naming the variable and its value when the
    ///   value is not a valid integer, boolean, choice or URL for its setting.
    mutating func applyEnvironment(_ environment: [String: String]) throws {
        var known: Set<String> = []
        func string(_ name: String) -> String? {
            known.insert(name)
            return environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
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
        idp.publicBaseURL = string("MOAT_IDP_PUBLIC_BASE_URL") ?? idp.publicBaseURL
        idp.tokenLifetime = try integer("MOAT_IDP_TOKEN_LIFETIME", range: 60...86_400) ?? idp.tokenLifetime
        api.port = try integer("MOAT_API_PORT", range: 0...65535) ?? api.port
        api.issuer = string("MOAT_API_ISSUER") ?? api.issuer
        api.audiences = list("MOAT_API_AUDIENCES") ?? api.audiences
        api.allowedClientApps = list("MOAT_API_ALLOWED_CLIENT_APPS") ?? api.allowedClientApps
        api.leeway = try integer("MOAT_API_LEEWAY", range: 0...300) ?? api.leeway
        api.algorithms = list("MOAT_API_ALGORITHMS") ?? api.algorithms
        api.v1Issuer = string("MOAT_API_V1_ISSUER") ?? api.v1Issuer
        api.allowedTenants = list("MOAT_API_ALLOWED_TENANTS") ?? api.allowedTenants
        api.maxTokenAge = try integer("MOAT_API_MAX_TOKEN_AGE", range: 60...2_592_000) ?? api.maxTokenAge
        api.jwksURI = string("MOAT_API_JWKS_URI") ?? api.jwksURI
        api.groupOverage = string("MOAT_API_GROUP_OVERAGE") ?? api.groupOverage
        api.graphURL = string("MOAT_API_GRAPH_URL") ?? api.graphURL
        api.clientID = string("MOAT_API_CLIENT_ID") ?? api.clientID
        api.clientSecret = string("MOAT_API_CLIENT_SECRET") ?? api.clientSecret
        web.port = try integer("MOAT_WEB_PORT", range: 0...65535) ?? web.port
        web.publicBaseURL = string("MOAT_WEB_PUBLIC_BASE_URL") ?? web.publicBaseURL
        web.clientID = string("MOAT_WEB_CLIENT_ID") ?? web.clientID
        web.clientSecret = string("MOAT_WEB_CLIENT_SECRET") ?? web.clientSecret
        web.apiScope = string("MOAT_WEB_API_SCOPE") ?? web.apiScope
        web.apiURL = string("MOAT_WEB_API_URL") ?? web.apiURL
        web.frontDoor = try choice("MOAT_WEB_FRONT_DOOR", Web.frontDoors) ?? web.frontDoor
        llm.endpoint = try url("MOAT_LLM_ENDPOINT") ?? llm.endpoint
        llm.model = string("MOAT_LLM_MODEL") ?? llm.model
        llm.apiKeyEnvironmentVariable = string("MOAT_LLM_API_KEY_ENV") ?? llm.apiKeyEnvironmentVariable
        llm.azureKeyHeader = try bool("MOAT_LLM_AZURE_KEY_HEADER") ?? llm.azureKeyHeader
        llm.clearance = try choice("MOAT_LLM_CLEARANCE", Self.clearances) ?? llm.clearance
        corpus.path = string("MOAT_CORPUS_PATH") ?? corpus.path
        corpus.manifest = string("MOAT_CORPUS_MANIFEST") ?? corpus.manifest
        audit.promptPolicy = try choice("MOAT_AUDIT_PROMPT_POLICY", Self.auditContentPolicies) ?? audit.promptPolicy
        audit.answerPolicy = try choice("MOAT_AUDIT_ANSWER_POLICY", Self.auditContentPolicies) ?? audit.answerPolicy
        audit.checkpointEvery = try integer("MOAT_AUDIT_CHECKPOINT_EVERY", range: 1...1_000_000) ?? audit.checkpointEvery
        audit.checkpointInterval = try integer("MOAT_AUDIT_CHECKPOINT_INTERVAL", range: 1...86_400) ?? audit.checkpointInterval
        audit.failOpen = try bool("MOAT_AUDIT_FAIL_OPEN") ?? audit.failOpen
        audit.lockTimeout = try integer("MOAT_AUDIT_LOCK_TIMEOUT", range: 0...60) ?? audit.lockTimeout
        audit.maxBytes = try integer("MOAT_AUDIT_MAX_BYTES", range: 0...Int.max).map(Int64.init) ?? audit.maxBytes
        audit.retentionDays = try integer("MOAT_AUDIT_RETENTION_DAYS", range: 0...36_500) ?? audit.retentionDays
        audit.anchorFile = string("MOAT_AUDIT_ANCHOR_FILE") ?? audit.anchorFile
        audit.signingKey = string("MOAT_AUDIT_SIGNING_KEY") ?? audit.signingKey

        try gateway.applyEnvironment(environment)
        known.formUnion(Gateway.environmentNames)

        // A misspelt variable must not silently fall back to a default. Names used by the
        // test scripts and the model key variable are known too.
        known.formUnion(Self.environmentNamesOutsideConfiguration)
        known.insert(llm.apiKeyEnvironmentVariable)
        if let unknown = environment.keys.sorted().first(where: { $0.hasPrefix("MOAT_") && !known.contains($0) }) {
            if let suggestion = Self.closestName(to: unknown, in: known) {
                throw ConfigurationError("environment variable \(unknown) is not a Moat setting; did you mean \(suggestion)? Otherwise unset it")
            }
            throw ConfigurationError("environment variable \(unknown) is not a Moat setting; check its spelling or unset it")
        }
    }

    /// Returns the name in `candidates` with the smallest edit distance to `name`, when that
    /// distance is at most 3 (enough for a missing letter or two swapped ones), or nil.
    static func closestName(to name: String, in candidates: Set<String>) -> String? {
        let scored = candidates.sorted().map { ($0, editDistance(name, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 3 else { return nil }
        return best.0
    }

    /// Computes the Levenshtein distance between `a` and `b`, counted in characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let source = Array(a)
        let target = Array(b)
        var previous = Array(0...target.count)
        for (i, sourceCharacter) in source.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: target.count)
            for (j, targetCharacter) in target.enumerated() {
                let substitution = previous[j] + (sourceCharacter == targetCharacter ? 0 : 1)
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, substitution)
            }
            previous = current
        }
        return previous[target.count]
    }

    /// `MOAT_*` variables that are not configuration keys: the default model key and test-script switches.
    static let environmentNamesOutsideConfiguration: Set<String> = [
        "MOAT_LLM_API_KEY", "MOAT_TESTDATA", "MOAT_BINARY", "MOAT_UPDATE_SCREENSHOT", "MOAT_GUARD_EVAL_ERRORS",
    ]
}
