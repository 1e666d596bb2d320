import Foundation
import MoatConfig
import Testing

@Suite("MoatConfiguration from moat.toml")
struct MoatConfigurationFileTests {
    @Test("defaults bind to loopback and keep data local")
    func defaults() throws {
        let configuration = try loadConfiguration(nil)

        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.dataDirectory == "./data")
        #expect(configuration.logLevel == "info")
        #expect(configuration.idp.port == 8082)
        #expect(configuration.idp.directory == nil)
        #expect(configuration.idp.tokenLifetime == 3600)
        #expect(configuration.api.port == 8081)
        #expect(configuration.api.issuer == nil)
        #expect(configuration.api.audiences.isEmpty)
        #expect(configuration.api.allowedClientApps.isEmpty)
        #expect(configuration.api.leeway == 60)
        #expect(configuration.audit.promptPolicy == "redacted")
        #expect(configuration.audit.answerPolicy == "redacted")
        #expect(configuration.audit.checkpointEvery == 1000)
        #expect(configuration.audit.checkpointInterval == 60)
        #expect(configuration.audit.failOpen == false)
        #expect(configuration.audit.maxBytes == 0)
        #expect(configuration.audit.retentionDays == 0)
        #expect(configuration.web.port == 8080)
        #expect(configuration.web.publicBaseURL == nil)
        #expect(configuration.web.clientID == nil)
        #expect(configuration.web.clientSecret == nil)
        #expect(configuration.web.apiScope == "api://moat-api/Chat")
        #expect(configuration.llm.endpoint == nil)
        #expect(configuration.llm.model == "gpt-4o-mini")
        #expect(configuration.llm.apiKeyEnvironmentVariable == "MOAT_LLM_API_KEY")
        #expect(configuration.llm.azureKeyHeader == false)
        #expect(configuration.llm.clearance == "internal")
        #expect(configuration.corpus.path == nil)
        #expect(configuration.corpus.manifest == nil)
    }

    @Test("empty file gives the defaults")
    func emptyFileGivesDefaults() throws {
        #expect(try loadConfiguration("") == MoatConfiguration())
        #expect(try loadConfiguration("# only a comment\n") == MoatConfiguration())
    }

    @Test("full file sets every key")
    func fullFile() throws {
        let configuration = try loadConfiguration("""
            data_dir = "/var/lib/moat"
            host = "0.0.0.0"
            log_level = "debug"

            [idp]
            port = 9082
            directory = "directory.toml"
            token_lifetime = 600

            [api]
            port = 9081
            issuer = "https://login.example.test/tenant/v2.0"
            audiences = ["api://moat-api", "11111111-2222-3333-4444-555555555555"]
            allowed_client_apps = ["66666666-7777-8888-9999-000000000000"]
            leeway = 30

            [web]
            port = 9080
            public_base_url = "https://moat.example.test"
            client_id = "66666666-7777-8888-9999-000000000000"
            client_secret = "from-the-file"
            api_scope = "api://moat-api/Chat.Read"

            [llm]
            endpoint = "http://127.0.0.1:11434/v1/chat/completions"
            model = "llama3.1"
            api_key_env = "OLLAMA_KEY"
            azure_key_header = true
            clearance = "confidential"

            [corpus]
            path = "/srv/corpus"
            manifest = "/srv/corpus/manifest.toml"

            [audit]
            prompt_policy = "keyed_hash"
            answer_policy = "stored"
            checkpoint_every = 500
            checkpoint_interval = 30
            fail_open = true
            lock_timeout = 5
            max_bytes = 104857600
            retention_days = 365
            anchor_file = "/mnt/other/anchors.jsonl"
            signing_key = "/etc/moat/audit-key.pem"
            """)

        #expect(configuration.dataDirectory == "/var/lib/moat")
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.logLevel == "debug")
        #expect(configuration.idp.port == 9082)
        #expect(configuration.idp.directory == "directory.toml")
        #expect(configuration.idp.tokenLifetime == 600)
        #expect(configuration.api.port == 9081)
        #expect(configuration.api.issuer == "https://login.example.test/tenant/v2.0")
        #expect(configuration.api.audiences == ["api://moat-api", "11111111-2222-3333-4444-555555555555"])
        #expect(configuration.api.allowedClientApps == ["66666666-7777-8888-9999-000000000000"])
        #expect(configuration.api.leeway == 30)
        #expect(configuration.audit.promptPolicy == "keyed_hash")
        #expect(configuration.audit.answerPolicy == "stored")
        #expect(configuration.audit.checkpointEvery == 500)
        #expect(configuration.audit.checkpointInterval == 30)
        #expect(configuration.audit.failOpen == true)
        #expect(configuration.audit.lockTimeout == 5)
        #expect(configuration.audit.maxBytes == 104_857_600)
        #expect(configuration.audit.retentionDays == 365)
        #expect(configuration.audit.anchorFile == "/mnt/other/anchors.jsonl")
        #expect(configuration.audit.signingKey == "/etc/moat/audit-key.pem")
        #expect(configuration.web.port == 9080)
        #expect(configuration.web.publicBaseURL == "https://moat.example.test")
        #expect(configuration.web.clientID == "66666666-7777-8888-9999-000000000000")
        #expect(configuration.web.clientSecret == "from-the-file")
        #expect(configuration.web.apiScope == "api://moat-api/Chat.Read")
        #expect(configuration.llm.endpoint == "http://127.0.0.1:11434/v1/chat/completions")
        #expect(configuration.llm.model == "llama3.1")
        #expect(configuration.llm.apiKeyEnvironmentVariable == "OLLAMA_KEY")
        #expect(configuration.llm.azureKeyHeader == true)
        #expect(configuration.llm.clearance == "confidential")
        #expect(configuration.corpus.path == "/srv/corpus")
        #expect(configuration.corpus.manifest == "/srv/corpus/manifest.toml")
    }

    @Test("unknown key is rejected by name", arguments: [
        ("data_directory = \"x\"", "data_directory"),
        ("[api]\nprot = 9081", "api.prot"),
        ("[llm]\napi_key = \"sk-secret\"", "llm.api_key"),
        ("[database]\npath = \"x\"", "database"),
    ])
    func unknownKeyRejected(toml: String, keyPath: String) {
        let error = configurationError(toml)

        #expect(error?.reason.hasPrefix("\(keyPath) is not a known setting") == true, "reason: \(error?.reason ?? "none")")
    }

    @Test("wrong type is rejected by key", arguments: [
        ("[api]\nport = \"9081\"", "api.port must be an integer; write it without quotes: port = 9081"),
        ("[gateway]\nread_timeout = \"30s\"", "gateway.read_timeout must be an integer, not the string \"30s\""),
        ("[api]\nport = 9081.0", "api.port must be an integer"),
        ("host = 5", "host must be a non-empty string"),
        ("host = \"\"", "host must be a non-empty string"),
        ("[api]\naudiences = \"api://moat-api\"", "api.audiences must be an array of strings but is a string; write audiences = [\"...\"]"),
        ("[api]\naudiences = [\"a\", 2]", "api.audiences must be an array of strings but entry 2 is an integer"),
        ("[llm]\nazure_key_header = \"yes\"", "llm.azure_key_header must be true or false"),
        ("idp = 5", "idp must be a table"),
        ("[gateway.rules]\npath_prefix = \"/admin\"", "gateway.rules must be an array of tables; write each entry under [[gateway.rules]]"),
    ])
    func wrongTypeRejected(toml: String, reason: String) {
        let error = configurationError(toml)

        #expect(error?.reason == reason)
    }

    @Test("out-of-range number is rejected by key", arguments: [
        ("[api]\nport = 65536", "api.port"),
        ("[web]\nport = -1", "web.port"),
        ("[idp]\nport = 100000", "idp.port"),
        ("[api]\nleeway = 301", "api.leeway"),
        ("[api]\nleeway = -1", "api.leeway"),
        ("[idp]\ntoken_lifetime = 59", "idp.token_lifetime"),
        ("[idp]\ntoken_lifetime = 86401", "idp.token_lifetime"),
    ])
    func outOfRangeRejected(toml: String, keyPath: String) {
        let error = configurationError(toml)

        #expect(error?.reason.hasPrefix("\(keyPath) = ") == true, "reason: \(error?.reason ?? "none")")
        #expect(error?.reason.contains("is out of range") == true)
    }

    @Test("range bounds are accepted")
    func rangeBoundsAccepted() throws {
        let low = try loadConfiguration("[api]\nport = 0\nleeway = 0\n[idp]\ntoken_lifetime = 60")
        let high = try loadConfiguration("[api]\nport = 65535\nleeway = 300\n[idp]\ntoken_lifetime = 86400")

        #expect(low.api.port == 0)
        #expect(low.api.leeway == 0)
        #expect(low.idp.tokenLifetime == 60)
        #expect(high.api.port == 65535)
        #expect(high.api.leeway == 300)
        #expect(high.idp.tokenLifetime == 86400)
    }

    @Test("audit content policy accepts its four values", arguments: ["stored", "redacted", "keyed_hash", "omitted"])
    func contentPolicyAccepted(policy: String) throws {
        let configuration = try loadConfiguration("[audit]\nprompt_policy = \"\(policy)\"\nanswer_policy = \"\(policy)\"")

        #expect(configuration.audit.promptPolicy == policy)
        #expect(configuration.audit.answerPolicy == policy)
    }

    @Test("unknown audit content policy is rejected by key", arguments: ["plain", "Stored", "hashed"])
    func contentPolicyRejected(policy: String) {
        let error = configurationError("[audit]\nanswer_policy = \"\(policy)\"")

        #expect(error?.reason == "audit.answer_policy = \"\(policy)\" is not one of stored, redacted, keyed_hash, omitted")
    }

    @Test("api content policy points to its new place")
    func apiContentPolicyMoved() {
        let error = configurationError("[api]\ncontent_policy = \"stored\"")

        #expect(error?.reason.contains("[audit] section as prompt_policy and answer_policy") == true)
    }

    @Test("audit size cap below 64 KiB is rejected")
    func auditSizeCapTooSmall() {
        let error = configurationError("[audit]\nmax_bytes = 4096")

        #expect(error?.reason.hasPrefix("audit.max_bytes = 4096 is below") == true)
    }

    @Test("clearance accepts the four classifications", arguments: ["public", "internal", "confidential", "restricted"])
    func clearanceAccepted(clearance: String) throws {
        #expect(try loadConfiguration("[llm]\nclearance = \"\(clearance)\"").llm.clearance == clearance)
    }

    @Test("unknown clearance is rejected by key", arguments: ["secret", "Internal"])
    func clearanceRejected(clearance: String) {
        let error = configurationError("[llm]\nclearance = \"\(clearance)\"")

        #expect(error?.reason == "llm.clearance = \"\(clearance)\" is not one of public, internal, confidential, restricted")
    }

    @Test("front door defaults to the gateway")
    func frontDoorDefault() throws {
        #expect(try loadConfiguration(nil).web.frontDoor == "moat-gateway")
    }

    @Test("front door accepts its two values", arguments: ["moat-gateway", "app-service"])
    func frontDoorAccepted(frontDoor: String) throws {
        #expect(try loadConfiguration("[web]\nfront_door = \"\(frontDoor)\"").web.frontDoor == frontDoor)
    }

    @Test("unknown front door is rejected by key", arguments: ["none", "App-Service", "easy-auth"])
    func frontDoorRejected(frontDoor: String) {
        let error = configurationError("[web]\nfront_door = \"\(frontDoor)\"")

        #expect(error?.reason == "web.front_door = \"\(frontDoor)\" is not one of moat-gateway, app-service")
    }

    @Test("unknown log level is rejected by key")
    func logLevelRejected() {
        let error = configurationError("log_level = \"verbose\"")

        #expect(error?.reason.hasPrefix("log_level = \"verbose\" is not one of") == true)
    }

    @Test("model endpoint must be an http or https URL", arguments: [
        "ftp://models.example.test/v1/chat/completions",
        "127.0.0.1:11434/v1/chat/completions",
        "not a url",
        "http:///v1/chat/completions",
    ])
    func endpointRejected(endpoint: String) {
        let error = configurationError("[llm]\nendpoint = \"\(endpoint)\"")

        #expect(error?.reason.hasPrefix("llm.endpoint = \"\(endpoint)\" is not an http(s) URL") == true, "reason: \(error?.reason ?? "none")")
    }

    @Test("corpus path and manifest must be set together", arguments: [
        "[corpus]\npath = \"/srv/corpus\"",
        "[corpus]\nmanifest = \"/srv/corpus/manifest.toml\"",
    ])
    func corpusPairRequired(toml: String) {
        let error = configurationError(toml)

        #expect(error?.reason == "corpus.path and corpus.manifest go together; set both or neither")
    }

    @Test("missing file is rejected by path")
    func missingFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("absent.toml").path

        let error = #expect(throws: ConfigurationError.self) {
            try MoatConfiguration.load(path: path, environment: [:])
        }

        #expect(error?.reason.contains(path) == true)
        #expect(error?.reason.contains("does not exist") == true, "\(error?.reason ?? "")")
    }

    @Test("TOML syntax error names the file and line")
    func syntaxError() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("host = \"127.0.0.1\"\n[api\nport = 1\n", to: "moat.toml")

        let error = #expect(throws: ConfigurationError.self) {
            try MoatConfiguration.load(path: path, environment: [:])
        }

        #expect(error?.reason.hasPrefix(path) == true, "reason: \(error?.reason ?? "none")")
        #expect(error?.reason.contains("2") == true)
    }

    @Test("client secret in a broken file is not echoed")
    func secretNotEchoed() {
        let error = configurationError("[web]\nclient_secret = \"s3cr3t-value\" trailing")

        #expect(error != nil)
        #expect(error?.reason.contains("s3cr3t-value") == false, "reason: \(error?.reason ?? "none")")
    }
}

@Suite("guardrails section")
struct GuardrailsSectionTests {
    @Test("guardrails tuning is read")
    func guardrailsRead() throws {
        let configuration = try loadConfiguration("""
            [guardrails]
            actions = { "pii.email" = "flag", "injection.direct" = "shadow" }
            allow = { "pii.email" = ["helpdesk@fabrikam.example"] }
            roles_seeing_personal_data = ["Admin"]
            allowed_link_hosts = ["docs.fabrikam.example"]
            """)

        #expect(configuration.guardrails.actions["pii.email"] == "flag")
        #expect(configuration.guardrails.actions["injection.direct"] == "shadow")
        #expect(configuration.guardrails.allow["pii.email"] == ["helpdesk@fabrikam.example"])
        #expect(configuration.guardrails.rolesSeeingPersonalData == ["Admin"])
        #expect(configuration.guardrails.allowedLinkHosts == ["docs.fabrikam.example"])
    }

    @Test("unknown guardrail action is rejected by key")
    func unknownActionRejected() throws {
        let error = configurationError("[guardrails]\nactions = { \"pii.email\" = \"ignore\" }\n")
        #expect(error?.reason.contains("guardrails.actions.pii.email") == true)
    }

    @Test("guardrails default to no tuning")
    func guardrailsDefault() {
        let configuration = MoatConfiguration()
        #expect(configuration.guardrails.actions.isEmpty)
        #expect(configuration.guardrails.allowedLinkHosts.isEmpty)
        #expect(configuration.guardrails.rolesSeeingPersonalData.isEmpty)
    }
}

@Suite("gateway section validation")
struct GatewaySectionValidationTests {
    @Test("unusable gateway values are rejected by key", arguments: [
        ("upstream = \"http://user:pw@127.0.0.1:9001\"", "user name or password"),
        ("upstream = \"http://127.0.0.1:9001/app/\"", "path or query"),
        ("upstream = \"http://127.0.0.1:99999\"", "outside 1 to 65535"),
        ("upstream = \"http://:9001\"", "has no host"),
        ("public_base_url = \"127.0.0.1:18500\"", "gateway.public_base_url"),
        ("trusted_proxies = [\"127.0.0.0/8\"]", "not an IP address"),
        ("allowed_return_hosts = [\"https://wiki.example\"]", "without scheme or path"),
    ])
    func rejected(line: String, expected: String) {
        let error = configurationError("[gateway]\n\(line)\n")
        #expect(error?.reason.contains(expected) == true, "reason: \(error?.reason ?? "none")")
    }

    @Test("upstream set after loading is checked again", arguments: [
        ("http://user:pw@127.0.0.1:9001", "user name or password"),
        ("http://127.0.0.1:9001/app/", "path or query"),
        ("http://127.0.0.1:99999", "outside 1 to 65535"),
        ("127.0.0.1:9001", "not an http(s) URL"),
        ("", "not an http(s) URL"),
    ])
    func overriddenUpstreamChecked(upstream: String, expected: String) throws {
        // As `moat gateway --upstream URL` sets it after the file and the environment.
        var gateway = try loadConfiguration(nil).gateway
        gateway.upstream = upstream
        let error = #expect(throws: ConfigurationError.self) { try gateway.validate() }
        #expect(error?.reason.contains(expected) == true, "reason: \(error?.reason ?? "none")")
    }

    @Test("usable gateway values are accepted")
    func accepted() throws {
        let configuration = try loadConfiguration("""
            [gateway]
            upstream = "http://127.0.0.1:9001"
            public_base_url = "https://chat.example.com"
            trusted_proxies = ["127.0.0.1", "::1"]
            allowed_return_hosts = ["wiki.example", "docs.example:8443"]
            """)
        #expect(configuration.gateway.upstream == "http://127.0.0.1:9001")
        #expect(configuration.gateway.trustedProxies == ["127.0.0.1", "::1"])
    }
}
