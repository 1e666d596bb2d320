import Foundation
import MoatAudit
import MoatConfig
import MoatCore
import MoatData
import MoatDevIdP
import MoatHTTP

/// What each `moat` subcommand does, once its arguments are parsed.
public enum Commands {
    /// `moat up`: starts pattern 3 and blocks until SIGINT or SIGTERM.
    public static func up(_ configuration: MoatConfiguration, logger: Logger) async throws {
        let stack = try await MoatStack.start(configuration, logger: logger)
        FileHandle.standardOutput.write(Data(banner(stack).utf8))
        let signal = await TerminationSignal.wait()
        logger.info("stopping", metadata: ["moat.signal": "\(signal)"])
        await stack.stop()
        logger.info("stopped")
    }

    static func banner(_ stack: MoatStack) -> String {
        let users = stack.directory.users.map { user in
            "  \(user.name.padding(toLength: 7, withPad: " ", startingAt: 0)) groups: \(user.groups.isEmpty ? "(none)" : user.groups.joined(separator: ", "))"
        }.joined(separator: "\n")
        return """

            Moat is running (pattern 3: web, then api).
              Chat (web):  \(stack.webURL)/
              API:         \(stack.apiURL)/v1/chat
              Dev IdP:     \(stack.issuer)/.well-known/openid-configuration
              Documents:   \(stack.ingested.count) ingested

            Demo sign-ins (password: moat-demo unless your directory says otherwise):
            \(users)

            Press Ctrl+C to stop.

            """
    }

    /// `moat ingest PATH --manifest FILE`: adds or replaces documents; all or nothing.
    public static func ingest(folder: String, manifest: String, prune: Bool = false, configuration: MoatConfiguration, logger: Logger) throws -> [IngestResult] {
        let data = try DataFolder(path: configuration.dataDirectory)
        let directory = try MoatStack.loadDirectory(configuration)
        let parsed = try ManifestLoader.load(contentsOf: URL(fileURLWithPath: manifest), directory: directory)
        let store = try DocumentStore(path: data.documentsDatabase, logger: logger)
        let results = try store.ingest(directory: URL(fileURLWithPath: folder, isDirectory: true), manifest: parsed, pruneMissing: prune)
        let audit = try AuditCommands.openLog(configuration, data: data, logger: logger, applyRetention: false)
        defer { audit.close() }
        try APIFactory.recordIngestion(results, audit: audit, source: folder)
        return results
    }

    /// `moat audit verify`: recomputes the audit log's hash chain.
    public static func verifyAudit(file: String) throws -> AuditVerification {
        try AuditVerifier.verify(path: file)
    }
}
