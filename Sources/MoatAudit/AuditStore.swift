import Foundation
import MoatCore
import MoatCrypto
import MoatJSON
import MoatSQLite

/// Writes records and checkpoints on the writer's connection.
///
/// Every write reads the chain's tip and the last checkpoint inside its own
/// `BEGIN IMMEDIATE` transaction instead of caching them, so another process
/// writing the same file (`moat audit prune` while the api runs) never
/// leaves this one chaining to a stale hash.
final class AuditStore: Sendable {
    let database: SQLiteDatabase
    let signer: PrivateKey?
    let keyID: String?
    let options: AuditLogOptions
    let protector: ContentProtector
    let clock: any WallClock
    let logger: Logger

    init(database: SQLiteDatabase, signer: PrivateKey?, options: AuditLogOptions, clock: any WallClock, logger: Logger) {
        self.database = database
        self.signer = signer
        self.keyID = signer.map { AuditSigningKey.keyID($0.publicKey) }
        self.options = options
        self.protector = ContentProtector(key: options.contentKey)
        self.clock = clock
        self.logger = logger
    }

    struct WriteOutcome {
        var sequences: [Int64]
        var checkpoint: SignedAuditCheckpoint?
    }

    /// Returns the newest record's sequence number and hash. After retention deleted every
    /// record it returns the last checkpoint's, and (0, 64 zeros) for a new log.
    func tip() throws -> (sequence: Int64, hash: String) {
        if let row = try database.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").first,
           let sequence = row.int64("seq"), let hash = row.string("hash") {
            return (sequence, hash)
        }
        if let last = try lastCheckpointRow(), case .success(let checkpoint) = AuditCheckpoint.parse(body: last.body) {
            return (checkpoint.toSequence, checkpoint.lastHash)
        }
        return (0, AuditLog.genesisHash)
    }

    struct CheckpointRow {
        var number: Int64
        var toSequence: Int64
        var body: String
        var signature: String
        var hash: String { SignedAuditCheckpoint.hash(body: body, signature: signature) }
    }

    func lastCheckpointRow() throws -> CheckpointRow? {
        guard let row = try database.query("SELECT number, to_seq, body, signature FROM audit_checkpoints ORDER BY number DESC LIMIT 1").first
        else { return nil }
        return CheckpointRow(
            number: row.int64("number") ?? 0, toSequence: row.int64("to_seq") ?? 0,
            body: row.string("body") ?? "", signature: row.string("signature") ?? ""
        )
    }

    /// Appends `entries` and, when `checkpointKind` returns a kind for the number of
    /// records not yet covered, a checkpoint, all in one transaction.
    func write(_ entries: [AuditEntry], checkpointKind: (Int64) -> AuditCheckpoint.Kind?) throws -> WriteOutcome {
        try database.transaction {
            var (sequence, hash) = try tip()
            var sequences: [Int64] = []
            sequences.reserveCapacity(entries.count)
            for entry in entries {
                sequence += 1
                hash = try insert(entry, sequence: sequence, previousHash: hash)
                sequences.append(sequence)
            }
            guard signer != nil else { return WriteOutcome(sequences: sequences, checkpoint: nil) }
            let last = try lastCheckpointRow()
            guard let kind = checkpointKind(sequence - (last?.toSequence ?? 0)) else {
                return WriteOutcome(sequences: sequences, checkpoint: nil)
            }
            let checkpoint = try insertCheckpoint(kind: kind, tip: (sequence, hash), after: last)
            return WriteOutcome(sequences: sequences, checkpoint: checkpoint)
        }
    }

    private func insert(_ entry: AuditEntry, sequence: Int64, previousHash: String) throws -> String {
        let prompt = protector.protect(entry.prompt, redacted: entry.redactedPrompt, policy: options.contentPolicies.prompt)
        let answer = protector.protect(entry.answer, redacted: entry.redactedAnswer, policy: options.contentPolicies.answer)
        let object = entry.jsonObject(sequence: sequence, prompt: prompt, answer: answer)
        let canonical = JSONValue.object(object).canonicalized()
        let hash = AuditLog.chainHash(previous: previousHash, record: canonical)
        try database.run(
            """
            INSERT INTO audit_log (seq, time, request_id, user_id, action, decision, record, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(sequence), object["time"].flatMap(\.stringValue).map { .text($0) } ?? .null, .text(entry.requestID),
                entry.userID.map { .text($0) } ?? .null, .text(entry.action), .text(entry.decision.rawValue),
                .text(String(decoding: canonical, as: UTF8.self)), .text(previousHash), .text(hash),
            ]
        )
        return hash
    }

    /// Signs and stores a checkpoint covering the records after `last` up to `tip`.
    /// Call inside a transaction.
    func insertCheckpoint(
        kind: AuditCheckpoint.Kind, tip: (sequence: Int64, hash: String), after last: CheckpointRow?,
        truncation: (through: Int64, hash: String, before: Date)? = nil
    ) throws -> SignedAuditCheckpoint {
        guard let signer, let keyID else {
            throw AuditError(code: "invalid_configuration", "checkpoints need a signing key")
        }
        var checkpoint = AuditCheckpoint(
            number: (last?.number ?? 0) + 1, kind: kind,
            fromSequence: (last?.toSequence ?? 0) + 1, toSequence: tip.sequence, lastHash: tip.hash,
            time: clock.now(), previousCheckpointHash: last?.hash ?? AuditLog.genesisHash, keyID: keyID,
            everyRecords: options.checkpointEveryRecords, intervalSeconds: Int(options.checkpointInterval.rounded(.up))
        )
        checkpoint.truncatedThrough = truncation?.through
        checkpoint.truncatedThroughHash = truncation?.hash
        checkpoint.truncatedBefore = truncation?.before
        // When records below the last checkpoint were cut, the new range starts after the tip
        // so that the body stays a valid range. Its lower to_seq lets the verifier report the cut.
        let fromSequence = min(checkpoint.fromSequence, tip.sequence + 1)
        checkpoint.fromSequence = fromSequence
        let signed = try checkpoint.signed(with: signer)
        try database.run(
            "INSERT INTO audit_checkpoints (number, to_seq, truncated_through, body, signature) VALUES (?, ?, ?, ?, ?)",
            [
                .integer(checkpoint.number), .integer(checkpoint.toSequence),
                truncation.map { .integer($0.through) } ?? .null, .text(signed.body), .text(signed.signature),
            ]
        )
        return signed
    }

    /// Appends the checkpoint to the anchor file and flushes it to disk. Failures are logged,
    /// not thrown, because the checkpoint is already committed to the database.
    func writeAnchor(_ checkpoint: SignedAuditCheckpoint) {
        guard let path = options.anchorPath else { return }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            logger.error("audit anchor not written", metadata: ["moat.audit.anchor": path, "moat.error": String(cString: strerror(errno))])
            return
        }
        defer { close(descriptor) }
        let line = Array((checkpoint.anchorLine + "\n").utf8)
        let written = line.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        if written != line.count || fsync(descriptor) != 0 {
            logger.error("audit anchor not written", metadata: ["moat.audit.anchor": path, "moat.error": String(cString: strerror(errno))])
        }
    }
}
