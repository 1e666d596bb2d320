import Foundation

/// Settings of an ``AuditLog``. Every property has a default.
public struct AuditLogOptions: Sendable {
    /// Storage policy of prompts and answers; default ``ContentPolicy/redacted`` for both.
    public var contentPolicies: ContentPolicies
    /// HMAC key for ``ContentPolicy/redacted`` and ``ContentPolicy/keyedHash``; at least 32 bytes when either is used.
    public var contentKey: Data
    /// A checkpoint is signed once this many records are not yet covered by one. Default 1000, range 1...1,000,000.
    public var checkpointEveryRecords: Int
    /// Seconds between checkpoints when fewer records arrive, empty intervals included. Default 60, range 0.01...86,400.
    public var checkpointInterval: TimeInterval
    /// Seconds an append waits for another connection's write lock before failing. Default 2.
    public var lockTimeout: TimeInterval
    /// Most appends committed in one transaction. Default 1024.
    public var maxBatchSize: Int
    /// Size cap of the database file in bytes; appends fail once it is reached. Default nil (no cap).
    public var maxDatabaseBytes: Int64?
    /// When true, a record that cannot be written is counted and logged but the request is
    /// still served. Default false: the request fails with 503.
    public var failOpen: Bool
    /// A file that receives every checkpoint as one JSON line, for shipping to a store the
    /// writer cannot rewrite. Default nil (none).
    public var anchorPath: String?

    public init(
        contentPolicies: ContentPolicies = ContentPolicies(), contentKey: Data = Data(), checkpointEveryRecords: Int = 1000,
        checkpointInterval: TimeInterval = 60, lockTimeout: TimeInterval = 2, maxBatchSize: Int = 1024,
        maxDatabaseBytes: Int64? = nil, failOpen: Bool = false, anchorPath: String? = nil
    ) {
        self.contentPolicies = contentPolicies
        self.contentKey = contentKey
        self.checkpointEveryRecords = checkpointEveryRecords
        self.checkpointInterval = checkpointInterval
        self.lockTimeout = lockTimeout
        self.maxBatchSize = maxBatchSize
        self.maxDatabaseBytes = maxDatabaseBytes
        self.failOpen = failOpen
        self.anchorPath = anchorPath
    }

    /// Throws `invalid_configuration` naming the first option out of range.
    func validate() throws {
        if contentPolicies.needsKey, contentKey.count < 32 {
            throw AuditError(
                code: "invalid_configuration",
                "the redacted and keyed_hash content policies need a content key of at least 32 bytes; \(contentKey.count) given"
            )
        }
        guard (1...1_000_000).contains(checkpointEveryRecords) else {
            throw AuditError(code: "invalid_configuration", "checkpoint every \(checkpointEveryRecords) records is outside 1...1000000")
        }
        guard checkpointInterval >= 0.01, checkpointInterval <= 86_400 else {
            throw AuditError(code: "invalid_configuration", "checkpoint interval \(checkpointInterval) s is outside 0.01...86400 seconds")
        }
        guard lockTimeout >= 0, maxBatchSize >= 1 else {
            throw AuditError(code: "invalid_configuration", "lock timeout must be 0 s or more and the batch size 1 or more")
        }
        if let maxDatabaseBytes, maxDatabaseBytes < 64 * 1024 {
            throw AuditError(code: "invalid_configuration", "a database size cap of \(maxDatabaseBytes) bytes is below the 65536-byte minimum")
        }
    }
}
