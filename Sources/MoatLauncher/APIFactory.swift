import Foundation
import MoatAPI
import MoatAudit
import MoatConfig
import MoatCore
import MoatData
import MoatDevIdP
import MoatIdentity

/// Builds `moat api` from the configuration: token policy, document store
/// (ingesting the configured or demo corpus), answerer and audit log.
enum APIFactory {
    static func make(_ configuration: MoatConfiguration, directory: Directory, data: DataFolder, issuer: String, logger: Logger) throws -> (APIService, [IngestResult]) {
        guard let apiApp = directory.app(named: "moat-api") ?? directory.apps.first(where: { !$0.scopes.isEmpty }) else {
            throw LaunchError("the directory has no app named moat-api; set api.audiences and api.allowed_client_apps")
        }
        var audiences = configuration.api.audiences
        if audiences.isEmpty {
            audiences = [apiApp.clientID] + (apiApp.identifierURI.map { [$0] } ?? [])
        }
        var allowedClients = configuration.api.allowedClientApps
        if allowedClients.isEmpty, let webApp = directory.app(named: "moat-web") {
            allowedClients = [webApp.clientID]
        }
        let policy = AccessTokenPolicy(issuer: issuer, audiences: audiences, allowedClientApps: allowedClients, leeway: TimeInterval(configuration.api.leeway))
        let keys = KeySetCache(source: HTTPKeySetSource(issuer: issuer), logger: logger)

        let store = try DocumentStore(path: data.documentsDatabase, logger: logger)
        let ingested = try ingestCorpus(configuration, directory: directory, store: store, logger: logger)
        let audit = try AuditCommands.openLog(configuration, data: data, logger: logger)
        let service = APIService(
            configuration: APIConfiguration(tokenPolicy: policy),
            validator: AccessTokenValidator(policy: policy, keys: keys),
            store: store, answerer: try makeAnswerer(configuration, logger: logger), audit: audit, logger: logger
        )
        return (service, ingested)
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
        let results = try store.ingest(directory: folder, manifest: manifest)
        logger.info("corpus ingested", metadata: ["moat.corpus.path": folder.path, "moat.corpus.documents": "\(results.count)"])
        return results
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
