import Foundation
import MoatCrypto

/// Inputs of ``AuditVerifier`` besides the database: range, trusted keys and anchor.
public struct AuditVerifyOptions: Sendable {
    /// First record to check; nil for the oldest retained. The walk starts at the newest
    /// trusted checkpoint before it, so the range is anchored to a signed hash.
    public var fromSequence: Int64?
    /// Last record to check; nil for the newest. The walk continues to the next trusted
    /// checkpoint after it.
    public var toSequence: Int64?
    /// Public keys whose checkpoints are trusted. Empty: signatures are not checked,
    /// and ``AuditVerification/notes`` records that.
    public var trustedKeys: [PublicKey]
    /// Checkpoints copied out of the writer's reach (see ``AuditAnchor``); a newer one
    /// than the database contains reveals records or checkpoints removed from the tail.
    public var anchor: [SignedAuditCheckpoint]
    /// The time the log is judged at, for the silence note. Default: now.
    public var now: Date

    public init(
        fromSequence: Int64? = nil, toSequence: Int64? = nil, trustedKeys: [PublicKey] = [],
        anchor: [SignedAuditCheckpoint] = [], now: Date = Date()
    ) {
        self.fromSequence = fromSequence
        self.toSequence = toSequence
        self.trustedKeys = trustedKeys
        self.anchor = anchor
        self.now = now
    }
}

/// The outcome of verifying an audit log.
public struct AuditVerification: Sendable, Equatable {
    /// Records whose chain link was checked.
    public var recordCount: Int
    /// First and last record checked; nil when none was.
    public var firstSequence: Int64?
    public var lastSequence: Int64?
    /// Hash of the last record checked, to compare with a copy kept elsewhere.
    public var headHash: String
    /// Checkpoints read from the database.
    public var checkpointCount: Int
    /// True when every checkpoint's signature was checked against a trusted key.
    public var signaturesChecked: Bool
    /// Records after the newest valid checkpoint: these are protected by the chain only.
    public var uncoveredRecordCount: Int64
    /// Every problem found, in the order checked: checkpoints, then records, then the tail.
    /// The record walk stops at its first problem.
    public var problems: [Problem]
    /// Observations that are not failures, such as a long silence or unchecked signatures.
    public var notes: [String]

    /// The problem with the lowest record sequence number, or the first checkpoint problem.
    public var firstProblem: Problem? {
        problems.min { ($0.sequence ?? .max, $0.checkpoint ?? .max) < ($1.sequence ?? .max, $1.checkpoint ?? .max) }
    }

    public var isIntact: Bool { problems.isEmpty }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable, CaseIterable {
            /// The record's content no longer matches its stored hash.
            case contentChanged = "content_changed"
            /// The record's link to its predecessor is wrong: a record before it was removed, inserted or changed.
            case brokenLink = "broken_link"
            /// Sequence numbers are missing.
            case gap
            /// A record sits at another record's position.
            case reordered
            /// The stored record is not valid JSON or names another sequence number.
            case malformedRecord = "malformed_record"
            /// A column that queries filter on (time, request ID, user ID, action,
            /// decision) disagrees with the hashed record, so filtered reads would mislead.
            case columnMismatch = "column_mismatch"
            /// A checkpoint body is not a valid checkpoint or disagrees with its row.
            case checkpointMalformed = "checkpoint_malformed"
            /// A checkpoint's signature does not verify under the key it names.
            case checkpointBadSignature = "checkpoint_bad_signature"
            /// A checkpoint names a key that is not trusted.
            case checkpointUnknownKey = "checkpoint_unknown_key"
            /// A checkpoint's previous-checkpoint hash is wrong: one before it was replaced, removed or inserted.
            case checkpointBrokenLink = "checkpoint_broken_link"
            /// Checkpoint numbers or covered ranges are not consecutive.
            case checkpointOutOfOrder = "checkpoint_out_of_order"
            /// A record's hash differs from the one a checkpoint signed: the chain was recomputed after an edit.
            case checkpointMismatch = "checkpoint_mismatch"
            /// The log ends before the last record a checkpoint or the anchor signed.
            case tailCut = "tail_cut"
            /// A checkpoint in the database differs from the anchor's copy, or the anchor's copy is not validly signed.
            case anchorMismatch = "anchor_mismatch"
        }

        public var kind: Kind
        /// The record the problem is found at, when it concerns a record.
        public var sequence: Int64?
        /// The checkpoint number, when it concerns a checkpoint.
        public var checkpoint: Int64?
        /// The finding, with the values involved.
        public var detail: String

        public init(kind: Kind, sequence: Int64? = nil, checkpoint: Int64? = nil, detail: String) {
            self.kind = kind
            self.sequence = sequence
            self.checkpoint = checkpoint
            self.detail = detail
        }

        public var description: String {
            var subject: [String] = []
            if let sequence { subject.append("record \(sequence)") }
            if let checkpoint { subject.append("checkpoint \(checkpoint)") }
            return "\(subject.isEmpty ? "log" : subject.joined(separator: ", ")): \(kind.rawValue): \(detail)"
        }
    }
}
