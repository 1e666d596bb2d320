import Foundation
import MoatCrypto
import MoatAPI
import MoatAudit
import MoatConfig
import MoatCore
import MoatData
import MoatDevIdP
import MoatGuard
import MoatIdentity
import MoatJOSE

/// Builds `moat api` from the configuration: token policy, document store
/// (ingesting the configured or demo corpus), answerer and audit log.
enum APIFactory {
    static func make(
        _ configuration: MoatConfiguration, directory: Directory, data: DataFolder, issuer: String, idpURL: String, logger: Logger
    ) throws -> (APIService, [IngestResult]) {
        guard let apiApp = directory.app(named: "moat-api") ?? directory.apps.first(where: { !$0.scopes.isEmpty }) else {
            throw LaunchError("the directory has no app named moat-api; set api.audiences and api.allowed_client_apps")
        }
        let policy = tokenPolicy(configuration, directory: directory, apiApp: apiApp, issuer: issuer)
        let source = HTTPKeySetSource(issuer: issuer, jwksURI: configuration.api.jwksURI.flatMap { URL(string: $0) })
        let keys = KeySetCache(source: source, logger: logger)
        let groupResolver = try makeGroupResolver(configuration, apiApp: apiApp, issuer: issuer, idpURL: idpURL, logger: logger)

        // Settings are checked before anything is written, so a bad value leaves the data folder as it was.
        let guardrails = try guardrailSettings(configuration)
        let answerer = try makeAnswerer(configuration, logger: logger)
        let store = try DocumentStore(path: data.documentsDatabase, logger: logger)
        let audit = try AuditCommands.openLog(configuration, data: data, logger: logger)
        let ingested = try ingestCorpus(configuration, directory: directory, store: store, logger: logger)
        try recordIngestion(ingested, audit: audit, source: configuration.corpus.path ?? "demo corpus")
        var roleClearance = APIConfiguration.defaultRoleClearance
        for (role, level) in configuration.api.roleClearance {
            roleClearance[role] = Classification(rawValue: level)
        }
        let service = APIService(
            configuration: APIConfiguration(tokenPolicy: policy, roleClearance: roleClearance, guardrails: guardrails),
            validator: AccessTokenValidator(policy: policy, keys: keys, groupResolver: groupResolver),
            store: store, answerer: answerer, audit: audit, logger: logger
        )
        return (service, ingested)
    }

    /// Builds the api's token rules from the `[api]` settings. The audiences and allowed
    /// client apps come from the directory when the configuration names none.
    static func tokenPolicy(_ configuration: MoatConfiguration, directory: Directory, apiApp: Directory.App, issuer: String) -> AccessTokenPolicy {
        var audiences = configuration.api.audiences
        if audiences.isEmpty {
            audiences = [apiApp.clientID] + (apiApp.identifierURI.map { [$0] } ?? [])
        }
        var allowedClients = configuration.api.allowedClientApps
        if allowedClients.isEmpty {
            // The web tier, and every application granted an app role on the api.
            let granted = directory.assignments.filter { $0.app == apiApp.name && $0.principal.hasPrefix("app:") }
                .compactMap { directory.app(named: String($0.principal.dropFirst(4)))?.clientID }
            allowedClients = (directory.app(named: "moat-web").map { [$0.clientID] } ?? []) + granted
        }
        return AccessTokenPolicy(
            issuer: issuer, audiences: audiences, allowedClientApps: allowedClients, allowedTenants: configuration.api.allowedTenants,
            allowedAlgorithms: Set(configuration.api.algorithms.compactMap(JWSAlgorithm.init(rawValue:))),
            leeway: TimeInterval(configuration.api.leeway), maxTokenAge: TimeInterval(configuration.api.maxTokenAge),
            v1Issuer: configuration.api.v1Issuer
        )
    }

    /// With `group_overage = "resolve"`, a Graph client that authenticates as
    /// the api app; its token endpoint is the issuer's `…/v2.0` replaced by
    /// `…/oauth2/v2.0/token`, the layout Entra ID and `moat idp` share.
    static func makeGroupResolver(
        _ configuration: MoatConfiguration, apiApp: Directory.App, issuer: String, idpURL: String, logger: Logger
    ) throws -> (any GroupMembershipResolver)? {
        guard configuration.api.groupOverage == "resolve" else { return nil }
        // A directory secret belongs to the dev IdP: it is never sent to an issuer configured elsewhere.
        let directorySecret = configuration.api.issuer == nil ? apiApp.clientSecret : nil
        guard let secret = configuration.api.clientSecret ?? directorySecret else {
            throw LaunchError("api.group_overage = resolve needs the api's client secret; set MOAT_API_CLIENT_SECRET")
        }
        guard issuer.hasSuffix("/v2.0"), !issuer.contains("{tenantid}"),
              let tokenEndpoint = URL(string: String(issuer.dropLast("/v2.0".count)) + "/oauth2/v2.0/token"),
              let graphURL = URL(string: configuration.api.graphURL ?? idpURL)
        else {
            throw LaunchError("api.group_overage = resolve needs a single-tenant issuer ending in /v2.0 and a valid api.graph_url")
        }
        let tokens = ConfidentialClient(
            clientID: configuration.api.clientID ?? apiApp.clientID, credential: .secret(secret), tokenEndpoint: tokenEndpoint, logger: logger)
        logger.info("group overage resolved through Graph", metadata: ["moat.graph.url": graphURL.absoluteString])
        return GraphGroupResolver(graphBaseURL: graphURL, tokens: tokens)
    }

    /// Writes one audit record for an ingestion: which documents were added,
    /// replaced or left unchanged, with their classifications.
    static func recordIngestion(_ results: [IngestResult], audit: AuditLog, source: String) throws {
        let changed = results.filter { $0.outcome != .unchanged }
        try audit.append(AuditEntry(
            requestID: SecureRandom.token(byteCount: 16), time: Date(), hop: "ingest", action: "ingest",
            decision: .allow, reason: changed.isEmpty ? "unchanged" : "ok", httpStatus: 200,
            userName: "moat ingest (\(source))",
            documents: changed.map { .init(documentID: $0.documentID, classification: $0.classification.rawValue) }
        ))
    }

    static func ingestCorpus(_ configuration: MoatConfiguration, directory: Directory, store: DocumentStore, logger: Logger) throws -> [IngestResult] {
        let folder: URL
        let manifestFile: URL
        if let path = configuration.corpus.path, let manifest = configuration.corpus.manifest {
            folder = URL(fileURLWithPath: path, isDirectory: true)
            manifestFile = URL(fileURLWithPath: manifest)
        } else {
            guard let demoFolder = DemoResources.corpusFolder, let demoManifest = DemoResources.corpusManifest else {
                throw LaunchError("the embedded demo corpus is missing from this build; set corpus.path and corpus.manifest")
            }
            folder = demoFolder
            manifestFile = demoManifest
        }
        let manifest = try ManifestLoader.load(contentsOf: manifestFile, directory: directory)
        // The configured corpus is the store's one source, so files removed from it leave the store too.
        let results = try store.ingest(directory: folder, manifest: manifest, pruneMissing: true)
        logger.info("corpus ingested", metadata: ["moat.corpus.path": folder.path, "moat.corpus.documents": "\(results.count)"])
        return results
    }

    /// The guardrail policies from `[guardrails]`: one policy for the three checkpoints.
    static func guardrailSettings(_ configuration: MoatConfiguration) throws -> GuardrailSettings {
        let known = Set(GuardPolicy.defaultActions.keys)
        let named = Set(configuration.guardrails.actions.keys).union(configuration.guardrails.allow.keys)
        if let unknown = named.sorted().first(where: { !known.contains($0) }) {
            throw LaunchError("guardrails: rule id \"\(unknown)\" does not exist; known rules: \(known.sorted().joined(separator: ", "))")
        }
        var actions = GuardPolicy.defaultActions
        for (rule, name) in configuration.guardrails.actions {
            actions[rule] = GuardAction(rawValue: name)
        }
        let policy = GuardPolicy(
            actions: actions,
            allowLists: configuration.guardrails.allow.mapValues { Set($0) },
            rolesSeeingPersonalData: Set(configuration.guardrails.rolesSeeingPersonalData)
        )
        return GuardrailSettings(input: policy, retrieved: policy, output: policy, allowedLinkHosts: Set(configuration.guardrails.allowedLinkHosts))
    }

    static func makeAnswerer(_ configuration: MoatConfiguration, logger: Logger) throws -> any Answerer {
        guard let endpoint = configuration.llm.endpoint, let url = URL(string: endpoint) else {
            logger.info("no llm.endpoint configured; answering extractively")
            return ExtractiveAnswerer()
        }
        let key = ProcessInfo.processInfo.environment[configuration.llm.apiKeyEnvironmentVariable]
        let model = ChatModelConfiguration(
            endpoint: url, model: configuration.llm.model, apiKey: key, azureKeyHeader: configuration.llm.azureKeyHeader,
            clearance: Classification(rawValue: configuration.llm.clearance) ?? .internal
        )
        logger.info("answering with a chat-completions model", metadata: ["moat.llm.model": model.model, "moat.llm.clearance": model.clearance.rawValue])
        return OpenAIChatAnswerer(configuration: model)
    }
}
