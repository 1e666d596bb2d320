import Foundation

extension MoatConfiguration {
    /// The `[audit]` section: how the audit log keeps texts, signs checkpoints,
    /// retains records and behaves when it cannot write.
    public struct Audit: Sendable, Equatable {
        /// Storage policy of the user's question: `stored`, `redacted`, `keyed_hash` or `omitted`. Default `redacted`.
        public var promptPolicy = "redacted"
        /// Storage policy of the answer, with the same choices. Default `redacted`.
        public var answerPolicy = "redacted"
        /// Records between signed checkpoints. Default 1000, range 1...1,000,000.
        public var checkpointEvery = 1000
        /// Seconds between checkpoints when fewer records arrive, idle intervals included. Default 60, range 1...86,400.
        public var checkpointInterval = 60
        /// Serve requests even when their record cannot be written (counted and logged). Default false: respond 503.
        public var failOpen = false
        /// Seconds an append waits for another process's write lock. Default 2, range 0...60.
        public var lockTimeout = 2
        /// Size cap of the audit database in bytes; 0 means none. Default 0.
        public var maxBytes: Int64 = 0
        /// Records older than this many days are deleted at start-up behind a signed truncation
        /// checkpoint; 0 keeps everything. Default 0.
        public var retentionDays = 0
        /// File that receives a copy of every checkpoint. Default `audit-anchors.jsonl` in the data folder;
        /// point it at another filesystem so that a tail cut stays detectable.
        public var anchorFile: String?
        /// Ed25519 key that signs checkpoints (PKCS#8 PEM, mode 0600). Default `audit-signing-key.pem` in the data folder.
        public var signingKey: String?
    }

    static let auditContentPolicies = ["stored", "redacted", "keyed_hash", "omitted"]
    static let auditKeys: Set<String> = [
        "prompt_policy", "answer_policy", "checkpoint_every", "checkpoint_interval", "fail_open", "lock_timeout",
        "max_bytes", "retention_days", "anchor_file", "signing_key",
    ]

    mutating func readAudit(_ section: TOMLReader) throws {
        try section.rejectUnknownKeys(Self.auditKeys)
        audit.promptPolicy = try section.optionalString("prompt_policy") ?? audit.promptPolicy
        audit.answerPolicy = try section.optionalString("answer_policy") ?? audit.answerPolicy
        audit.checkpointEvery = try section.optionalInteger("checkpoint_every", range: 1...1_000_000).map(Int.init) ?? audit.checkpointEvery
        audit.checkpointInterval = try section.optionalInteger("checkpoint_interval", range: 1...86_400).map(Int.init) ?? audit.checkpointInterval
        audit.failOpen = try section.optionalBool("fail_open") ?? audit.failOpen
        audit.lockTimeout = try section.optionalInteger("lock_timeout", range: 0...60).map(Int.init) ?? audit.lockTimeout
        audit.maxBytes = try section.optionalInteger("max_bytes", range: 0...Int64.max) ?? audit.maxBytes
        audit.retentionDays = try section.optionalInteger("retention_days", range: 0...36_500).map(Int.init) ?? audit.retentionDays
        audit.anchorFile = try section.optionalString("anchor_file") ?? audit.anchorFile
        audit.signingKey = try section.optionalString("signing_key") ?? audit.signingKey
    }

    func validateAudit() throws {
        for (key, value) in [("prompt_policy", audit.promptPolicy), ("answer_policy", audit.answerPolicy)] {
            guard Self.auditContentPolicies.contains(value) else {
                throw ConfigurationError("audit.\(key) = \"\(value)\" is not one of \(Self.auditContentPolicies.joined(separator: ", "))")
            }
        }
        if audit.maxBytes != 0, audit.maxBytes < 65_536 {
            throw ConfigurationError("audit.max_bytes = \(audit.maxBytes) is below the 65536-byte minimum; use 0 for no cap")
        }
    }
}
