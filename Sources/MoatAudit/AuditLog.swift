import Foundation
import MoatCore
import MoatCrypto
import MoatJSON
import MoatSQLite

/// Append-only, hash-chained audit log in SQLite with signed checkpoints.
///
/// Each row stores the record as canonical JSON (RFC 8785) and
/// `hash = SHA-256(previous hash ‖ LF ‖ canonical record)`, hex-encoded, with
/// 64 zeros before the first record. The record includes its sequence number,
/// so editing, removing or reordering rows breaks the chain, and
/// ``AuditVerifier`` names the first record where it breaks. Triggers reject
/// UPDATE and DELETE. The database runs in WAL mode with `synchronous=FULL`;
/// concurrent appends are committed together (group commit), and each append
/// returns only once its transaction is durable.
///
/// With a signing key, the log also writes an ``AuditCheckpoint`` every
/// ``AuditLogOptions/checkpointEveryRecords`` records or
/// ``AuditLogOptions/checkpointInterval`` seconds, whichever comes first,
/// idle intervals included, plus one when it opens and one when it closes.
/// A checkpoint signs the chain's head, so rewriting a covered record and
/// recomputing the chain, or removing covered records, is detected.
///
/// NOTE: records after the newest checkpoint are protected by the unkeyed
/// chain only: removing them leaves a log that verifies, unless a copy of a
/// newer checkpoint (the anchor file) kept outside the data folder shows more
/// records existed. An attacker who can read the signing key can re-sign
/// anything; keep the anchor and the exported public key elsewhere.
public final class AuditLog: Sendable {
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The database file.
    public let path: String
    public let options: AuditLogOptions
    let store: AuditStore
    let writer: GroupCommitWriter
    let reader: AuditReader
    private let dropped = LockedValue(0)
    private let logger: Logger

    /// Opens or creates the log at `path` (mode 0600) and starts its writer thread.
    ///
    /// - Parameters:
    ///   - signingKey: Ed25519 key for checkpoints; nil writes no checkpoints (the chain alone).
    ///   - clock: source of record and checkpoint times.
    /// - Throws: ``AuditError`` `invalid_configuration` for an option out of range or a
    ///   signing key that is not Ed25519, and `audit_log_unreadable` when the file cannot
    ///   be opened or is not an SQLite database.
    public init(
        path: String, options: AuditLogOptions = AuditLogOptions(), signingKey: PrivateKey? = nil,
        clock: any WallClock = SystemClock(), logger: Logger = .disabled
    ) throws {
        try options.validate()
        if let signingKey, signingKey.kind != .ed25519 {
            throw AuditError(code: "invalid_configuration", "the checkpoint signing key is a \(signingKey.kind) key; it must be Ed25519")
        }
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: path, busyTimeout: options.lockTimeout, synchronous: .full)
            try AuditSchema.migrate(database)
            if let maxDatabaseBytes = options.maxDatabaseBytes {
                let pageSize = try database.query("PRAGMA page_size").first?.values.first.flatMap { value -> Int64? in
                    if case .integer(let size) = value { return size }
                    return nil
                } ?? 4096
                _ = try database.query("PRAGMA max_page_count = \(max(1, maxDatabaseBytes / pageSize))")
            }
        } catch {
            throw AuditError(
                code: "audit_log_unreadable",
                "the audit log at \(path) cannot be opened: \(error); check that its folder exists and the file is an audit log"
            )
        }
        self.path = path
        self.options = options
        self.logger = logger
        self.store = AuditStore(database: database, signer: signingKey, options: options, clock: clock, logger: logger)
        self.reader = try AuditReader(path: path)
        self.writer = GroupCommitWriter(store: store, options: options, logger: logger)
        if signingKey != nil {
            // Marks where this writer took over, so a pause in logging shows in the checkpoint chain.
            let outcome = try Self.wrapWriteError { try store.write([]) { _ in .start } }
            if let checkpoint = outcome.checkpoint { store.writeAnchor(checkpoint) }
        }
        if options.failOpen {
            logger.warning("audit fail-open is on: requests are served even when their audit record cannot be written")
        }
        writer.start()
    }

    deinit {
        writer.stop()
    }

    /// Appends one record and returns its sequence number once it is durable.
    /// Blocks the calling thread while the batch commits.
    ///
    /// - Throws: ``AuditError`` `audit_write_failed` when the record could not be
    ///   committed: disk full, size cap reached, write lock held past the lock timeout, or log closed.
    @discardableResult
    public func append(_ entry: AuditEntry) throws -> Int64 {
        let semaphore = DispatchSemaphore(value: 0)
        let result = LockedValue<Result<Int64, AuditError>?>(nil)
        writer.enqueue(entry) { outcome in
            result.withLock { $0 = outcome }
            semaphore.signal()
        }
        semaphore.wait()
        return try result.current!.get()
    }

    /// Appends one record and returns its sequence number once it is durable, suspending instead of blocking.
    ///
    /// - Throws: as the blocking `append`.
    @discardableResult
    public func append(_ entry: AuditEntry) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            writer.enqueue(entry) { continuation.resume(with: $0) }
        }
    }

    /// Signs a checkpoint now, covering every record appended before the call.
    /// Returns nil when the log has no signing key.
    @discardableResult
    public func checkpoint() throws -> SignedAuditCheckpoint? {
        guard store.signer != nil else { return nil }
        let semaphore = DispatchSemaphore(value: 0)
        let result = LockedValue<Result<SignedAuditCheckpoint?, AuditError>?>(nil)
        writer.requestCheckpoint { outcome in
            result.withLock { $0 = outcome }
            semaphore.signal()
        }
        semaphore.wait()
        return try result.current!.get()
    }

    /// Commits queued records, signs a stop checkpoint and stops the writer. Later appends fail.
    public func close() {
        writer.stop()
    }

    /// True when ``AuditLogOptions/failOpen`` is set: callers serve requests whose record failed.
    public var isFailOpen: Bool { options.failOpen }

    /// Counts one request served without its record (fail-open) and returns the total since start.
    public func countDroppedRecord() -> Int {
        dropped.withLock { count in
            count += 1
            return count
        }
    }

    /// Requests served without their record since start.
    public var droppedRecordCount: Int { dropped.current }

    static func chainHash(previous: String, record: some Collection<UInt8>) -> String {
        // One contiguous buffer, because the verifier calls this once per record.
        var input: [UInt8] = []
        input.reserveCapacity(previous.utf8.count + 1 + record.count)
        input.append(contentsOf: previous.utf8)
        input.append(0x0A)
        input.append(contentsOf: record)
        return Hex.encode(Digest.sha256(input))
    }

    static func wrapWriteError<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(code: "audit_write_failed", "the audit log could not be written: \(error)")
        }
    }
}
