import Foundation
import MoatAudit
import MoatConfig
import MoatCore
import MoatCrypto

/// The audit log as `moat up` opens it, and the `moat audit` subcommands.
public enum AuditCommands {
    /// Locations of the audit files: the database, the checkpoint signing key and the anchor file.
    public struct Paths: Sendable {
        public var database: String
        public var signingKey: String
        public var anchor: String
    }

    /// Returns the configured paths. With `file`, the key and anchor default to that file's folder.
    public static func paths(_ configuration: MoatConfiguration, file: String? = nil) -> Paths {
        let folder = file.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
            ?? URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        return Paths(
            database: file ?? folder.appendingPathComponent("audit.sqlite").path,
            signingKey: configuration.audit.signingKey ?? folder.appendingPathComponent("audit-signing-key.pem").path,
            anchor: configuration.audit.anchorFile ?? folder.appendingPathComponent("audit-anchors.jsonl").path
        )
    }

    /// Opens the api's audit log with the `[audit]` settings, creating the signing key on first use,
    /// and applies `retention_days` when set.
    public static func openLog(_ configuration: MoatConfiguration, data: DataFolder, logger: Logger, applyRetention: Bool = true) throws -> AuditLog {
        let settings = configuration.audit
        let paths = paths(configuration)
        var options = AuditLogOptions(
            contentPolicies: ContentPolicies(
                prompt: ContentPolicy(rawValue: settings.promptPolicy) ?? .redacted,
                answer: ContentPolicy(rawValue: settings.answerPolicy) ?? .redacted
            ),
            contentKey: try data.secret(named: "audit-hmac.key", byteCount: 32),
            checkpointEveryRecords: settings.checkpointEvery,
            checkpointInterval: TimeInterval(settings.checkpointInterval),
            lockTimeout: TimeInterval(settings.lockTimeout),
            failOpen: settings.failOpen,
            anchorPath: paths.anchor
        )
        options.maxDatabaseBytes = settings.maxBytes > 0 ? settings.maxBytes : nil
        let log = try AuditLog(
            path: data.auditDatabase, options: options, signingKey: try AuditSigningKey.loadOrCreate(at: paths.signingKey),
            logger: logger
        )
        if applyRetention, settings.retentionDays > 0 {
            _ = try log.applyRetention(before: Date().addingTimeInterval(-Double(settings.retentionDays) * 86_400))
        }
        return log
    }

    /// Returns the public keys verify trusts: those in `keyFile`, or else the public half of
    /// the signing key beside the log, with a note that this key could have been replaced too.
    static func trustedKeys(keyFile: String?, paths: Paths) throws -> (keys: [PublicKey], note: String?) {
        if let keyFile {
            return (try AuditSigningKey.loadPublicKeys(from: keyFile), nil)
        }
        guard FileManager.default.fileExists(atPath: paths.signingKey) else { return ([], nil) }
        let key = try AuditSigningKey.load(at: paths.signingKey)
        return ([key.publicKey], "checked against the signing key in \(paths.signingKey); pass --key with the file from `moat audit export-key` to rule out a replaced key")
    }

    /// `moat audit verify`: checks the log against its checkpoints, the trusted keys and the anchor.
    public static func verify(
        _ configuration: MoatConfiguration, file: String?, keyFile: String?, anchorFile: String?, from: Int64?, to: Int64?
    ) throws -> AuditVerification {
        let paths = paths(configuration, file: file)
        let (keys, keyNote) = try trustedKeys(keyFile: keyFile, paths: paths)
        var anchor: [SignedAuditCheckpoint] = []
        var notes: [String] = keyNote.map { [$0] } ?? []
        let anchorPath = anchorFile ?? (FileManager.default.fileExists(atPath: paths.anchor) ? paths.anchor : nil)
        if let anchorPath {
            let loaded = try AuditAnchor.load(path: anchorPath)
            anchor = loaded.checkpoints
            notes += loaded.notes
        } else {
            notes.append("no anchor file: records after the newest checkpoint could be cut without detection")
        }
        var verification = try AuditVerifier.verify(
            path: paths.database, options: AuditVerifyOptions(fromSequence: from, toSequence: to, trustedKeys: keys, anchor: anchor)
        )
        verification.notes = notes + verification.notes
        return verification
    }

    /// `moat audit search`: writes one summary line per matching record, newest first; returns the count.
    public static func search(_ configuration: MoatConfiguration, file: String?, query: AuditQuery, limit: Int, output: (String) -> Void) throws -> Int {
        let reader = try AuditReader(path: paths(configuration, file: file).database)
        let records = try reader.records(matching: query, limit: limit)
        for record in records {
            output(summary(record))
        }
        return records.count
    }

    /// Formats a tab-separated line: sequence, time, decision, action, user, reason, HTTP status, request id.
    static func summary(_ record: StoredAuditRecord) -> String {
        guard let json = record.json else { return "\(record.sequence)\t(unreadable record)" }
        let user = json["user_name"]?.stringValue ?? json["object_id"]?.stringValue ?? "-"
        return [
            "\(record.sequence)", json["time"]?.stringValue ?? "-", json["decision"]?.stringValue ?? "-",
            json["action"]?.stringValue ?? "-", user, json["reason"]?.stringValue ?? "-",
            json["http_status"]?.int64Value.map(String.init) ?? "-", json["request_id"]?.stringValue ?? "-",
        ].map { $0.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\t")
    }

    /// `moat audit export`: streams every matching record, oldest first, as `format` lines; returns the count.
    public static func export(
        _ configuration: MoatConfiguration, file: String?, query: AuditQuery, format: AuditExportFormat, output: FileHandle
    ) throws -> Int {
        let reader = try AuditReader(path: paths(configuration, file: file).database)
        var count = 0
        var buffer = Data()
        try reader.forEachRecord(matching: query) { record in
            buffer.append(contentsOf: format.line(for: record).utf8)
            buffer.append(0x0A)
            count += 1
            if buffer.count >= 1 << 16 {
                try output.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try output.write(contentsOf: buffer)
        return count
    }

    /// `moat audit export-key`: the PEM public key that verifies checkpoints, creating the key pair on first use.
    public static func exportKey(_ configuration: MoatConfiguration) throws -> String {
        _ = try DataFolder(path: configuration.dataDirectory)
        let key = try AuditSigningKey.loadOrCreate(at: paths(configuration).signingKey)
        return key.publicKey.pemEncoded()
    }

    /// `moat audit prune --older-than DAYS`: deletes records older than that behind a signed truncation checkpoint.
    public static func prune(_ configuration: MoatConfiguration, olderThanDays days: Int, logger: Logger) throws -> RetentionOutcome? {
        let data = try DataFolder(path: configuration.dataDirectory)
        let log = try openLog(configuration, data: data, logger: logger, applyRetention: false)
        defer { log.close() }
        return try log.applyRetention(before: Date().addingTimeInterval(-Double(days) * 86_400))
    }
}
