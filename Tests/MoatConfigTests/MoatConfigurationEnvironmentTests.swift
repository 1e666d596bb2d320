import Foundation
import MoatConfig
import Testing

/// One environment variable, a value for it, and how to read the setting it overrides.
struct EnvironmentOverride: Sendable, CustomTestStringConvertible {
    let variable: String
    let value: String
    let expected: String
    let read: @Sendable (MoatConfiguration) -> String

    init(_ variable: String, _ value: String, expected: String? = nil, read: @escaping @Sendable (MoatConfiguration) -> String) {
        self.variable = variable
        self.value = value
        self.expected = expected ?? value
        self.read = read
    }

    var testDescription: String { "\(variable)=\(value)" }
}

@Suite("MoatConfiguration environment overrides")
struct MoatConfigurationEnvironmentTests {
    /// Every setting `moat.toml` documents, set through its `MOAT_*` variable.
    static let overrides: [EnvironmentOverride] = [
        .init("MOAT_DATA_DIR", "/env/data") { $0.dataDirectory },
        .init("MOAT_HOST", "::1") { $0.host },
        .init("MOAT_LOG_LEVEL", "warning") { $0.logLevel },
        .init("MOAT_IDP_PORT", "7082") { "\($0.idp.port)" },
        .init("MOAT_IDP_DIRECTORY", "/env/directory.toml") { $0.idp.directory ?? "nil" },
        .init("MOAT_IDP_TOKEN_LIFETIME", "900") { "\($0.idp.tokenLifetime)" },
        .init("MOAT_API_PORT", "7081") { "\($0.api.port)" },
        .init("MOAT_API_ISSUER", "https://issuer.example.test") { $0.api.issuer ?? "nil" },
        .init("MOAT_API_AUDIENCES", "a, b,,c ", expected: "a|b|c") { $0.api.audiences.joined(separator: "|") },
        .init(
            "MOAT_API_ALLOWED_CLIENT_APPS", "bbbbbbbb-0000-0000-0000-000000000002,cccccccc-0000-0000-0000-000000000003",
            expected: "bbbbbbbb-0000-0000-0000-000000000002|cccccccc-0000-0000-0000-000000000003"
        ) { $0.api.allowedClientApps.joined(separator: "|") },
        .init("MOAT_API_LEEWAY", "5") { "\($0.api.leeway)" },
        .init("MOAT_WEB_PORT", "7080") { "\($0.web.port)" },
        .init("MOAT_WEB_PUBLIC_BASE_URL", "https://web.example.test") { $0.web.publicBaseURL ?? "nil" },
        .init("MOAT_WEB_CLIENT_ID", "env-client") { $0.web.clientID ?? "nil" },
        .init("MOAT_WEB_CLIENT_SECRET", "env-secret") { $0.web.clientSecret ?? "nil" },
        .init("MOAT_WEB_FRONT_DOOR", "app-service") { $0.web.frontDoor },
        .init("MOAT_WEB_API_SCOPE", "api://env/Chat") { $0.web.apiScope },
        .init("MOAT_LLM_ENDPOINT", "https://models.example.test/v1/chat/completions") { $0.llm.endpoint ?? "nil" },
        .init("MOAT_LLM_MODEL", "env-model") { $0.llm.model },
        .init("MOAT_LLM_API_KEY_ENV", "OTHER_KEY") { $0.llm.apiKeyEnvironmentVariable },
        .init("MOAT_AUDIT_PROMPT_POLICY", "omitted") { $0.audit.promptPolicy },
        .init("MOAT_AUDIT_ANSWER_POLICY", "keyed_hash") { $0.audit.answerPolicy },
        .init("MOAT_AUDIT_CHECKPOINT_EVERY", "50") { "\($0.audit.checkpointEvery)" },
        .init("MOAT_AUDIT_CHECKPOINT_INTERVAL", "15") { "\($0.audit.checkpointInterval)" },
        .init("MOAT_AUDIT_FAIL_OPEN", "true") { "\($0.audit.failOpen)" },
        .init("MOAT_AUDIT_LOCK_TIMEOUT", "7") { "\($0.audit.lockTimeout)" },
        .init("MOAT_AUDIT_MAX_BYTES", "1048576") { "\($0.audit.maxBytes)" },
        .init("MOAT_AUDIT_RETENTION_DAYS", "90") { "\($0.audit.retentionDays)" },
        .init("MOAT_AUDIT_ANCHOR_FILE", "/env/anchors.jsonl") { $0.audit.anchorFile ?? "nil" },
        .init("MOAT_AUDIT_SIGNING_KEY", "/env/audit-key.pem") { $0.audit.signingKey ?? "nil" },
        .init("MOAT_LLM_AZURE_KEY_HEADER", "true") { "\($0.llm.azureKeyHeader)" },
        .init("MOAT_LLM_CLEARANCE", "public") { $0.llm.clearance },
    ]

    /// A file that sets every key to a value different from each override above.
    static let fullFile = """
        data_dir = "/file/data"
        host = "127.0.0.1"
        log_level = "error"
        [idp]
        port = 6082
        directory = "/file/directory.toml"
        token_lifetime = 1200
        [api]
        port = 6081
        issuer = "https://issuer.file.test"
        audiences = ["file-audience"]
        allowed_client_apps = ["file-client"]
        leeway = 90
        [web]
        port = 6080
        public_base_url = "https://web.file.test"
        client_id = "file-client"
        client_secret = "file-secret"
        api_scope = "api://file/Chat"
        [llm]
        endpoint = "https://models.file.test/v1/chat/completions"
        model = "file-model"
        api_key_env = "FILE_KEY"
        azure_key_header = false
        clearance = "confidential"
        """

    @Test("environment variable wins over the file", arguments: overrides)
    func environmentWins(override: EnvironmentOverride) throws {
        let fromFile = try loadConfiguration(Self.fullFile)
        let overridden = try loadConfiguration(Self.fullFile, environment: [override.variable: override.value])

        #expect(override.read(fromFile) != override.expected)
        #expect(override.read(overridden) == override.expected)
    }

    @Test("environment variable overrides a default", arguments: overrides)
    func environmentOverridesDefault(override: EnvironmentOverride) throws {
        let configuration = try loadConfiguration(nil, environment: [override.variable: override.value])

        #expect(override.read(configuration) == override.expected)
    }

    @Test("empty environment variable is ignored")
    func emptyVariableIgnored() throws {
        let configuration = try loadConfiguration("[api]\nport = 6081", environment: ["MOAT_API_PORT": "", "MOAT_HOST": ""])

        #expect(configuration.api.port == 6081)
        #expect(configuration.host == "127.0.0.1")
    }

    @Test("corpus may come from file and environment together")
    func corpusFromBothSources() throws {
        let configuration = try loadConfiguration(
            "[corpus]\nmanifest = \"/srv/manifest.toml\"",
            environment: ["MOAT_CORPUS_PATH": "/srv/corpus"]
        )

        #expect(configuration.corpus.path == "/srv/corpus")
        #expect(configuration.corpus.manifest == "/srv/manifest.toml")
    }

    @Test("corpus path alone from the environment is rejected")
    func corpusPathAloneRejected() {
        let error = configurationError(nil, environment: ["MOAT_CORPUS_PATH": "/srv/corpus"])

        #expect(error?.reason == "corpus.path and corpus.manifest go together; set both or neither")
    }

    @Test("invalid environment value is rejected by variable", arguments: [
        ("MOAT_API_PORT", "abc"),
        ("MOAT_API_PORT", "65536"),
        ("MOAT_IDP_PORT", "-1"),
        ("MOAT_WEB_PORT", "80 80"),
        ("MOAT_API_LEEWAY", "301"),
        ("MOAT_IDP_TOKEN_LIFETIME", "10"),
        ("MOAT_LOG_LEVEL", "verbose"),
        ("MOAT_AUDIT_PROMPT_POLICY", "plain"),
        ("MOAT_AUDIT_FAIL_OPEN", "yes"),
        ("MOAT_AUDIT_CHECKPOINT_EVERY", "0"),
        ("MOAT_LLM_CLEARANCE", "secret"),
        ("MOAT_LLM_ENDPOINT", "ftp://models.example.test"),
        ("MOAT_LLM_AZURE_KEY_HEADER", "yes"),
        ("MOAT_WEB_FRONT_DOOR", "easy-auth"),
    ])
    func invalidValueRejected(variable: String, value: String) {
        let error = configurationError(nil, environment: [variable: value])

        #expect(error?.reason.hasPrefix("environment variable \(variable)=\(value) ") == true, "reason: \(error?.reason ?? "none")")
    }

    @Test("variables outside MOAT_ and the model key are ignored")
    func unrelatedVariablesIgnored() throws {
        let configuration = try loadConfiguration(nil, environment: ["PATH": "/bin", "MOAT_LLM_API_KEY": "sk-test", "MOAT_TESTDATA": "/tmp"])

        #expect(configuration == MoatConfiguration())
    }

    @Test("misspelt MOAT_ variable is rejected by name")
    func misspeltVariableRejected() {
        let error = configurationError(nil, environment: ["MOAT_API_PROT": "1"])

        #expect(error?.reason.contains("MOAT_API_PROT") == true)
    }

    @Test("misspelt variable suggests the closest name", arguments: [
        ("MOAT_API_ALGORITHM", "MOAT_API_ALGORITHMS"),
        ("MOAT_API_PROT", "MOAT_API_PORT"),
        ("MOAT_GATEWAY_UPSTRAEM", "MOAT_GATEWAY_UPSTREAM"),
    ])
    func misspeltVariableSuggestsName(variable: String, suggestion: String) {
        let error = configurationError(nil, environment: [variable: "1"])

        #expect(error?.reason.contains("did you mean \(suggestion)?") == true, "reason: \(error?.reason ?? "none")")
    }

    @Test("unrelated variable gets no suggestion")
    func unrelatedVariableGetsNoSuggestion() {
        let error = configurationError(nil, environment: ["MOAT_SOMETHING_ELSE_ENTIRELY": "1"])

        #expect(error?.reason.contains("did you mean") == false, "reason: \(error?.reason ?? "none")")
    }

    @Test("custom model key variable is accepted")
    func customKeyVariableAccepted() throws {
        let configuration = try loadConfiguration(nil, environment: ["MOAT_LLM_API_KEY_ENV": "MOAT_OPENAI_KEY", "MOAT_OPENAI_KEY": "sk-test"])

        #expect(configuration.llm.apiKeyEnvironmentVariable == "MOAT_OPENAI_KEY")
    }
}
