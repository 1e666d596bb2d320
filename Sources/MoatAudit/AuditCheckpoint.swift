import Foundation
import MoatCrypto
import MoatJSON

/// A signed statement that the log held records `fromSequence...toSequence`
/// ending in `lastHash`, chained to the checkpoint before it, in the manner
/// of AWS CloudTrail's digest files.
///
/// The body is RFC 8785 canonical JSON; the signature is Ed25519 over those
/// bytes, stored beside the body in lower-case hex. A checkpoint's own hash,
/// which the next checkpoint names, is
/// `SHA-256(canonical body ‖ LF ‖ signature hex)`, so replacing a checkpoint
/// breaks the next one's link even when the replacement is validly signed.
/// An interval without records still gets a checkpoint
/// (`fromSequence == toSequence + 1`), so silence is signed too.
public struct AuditCheckpoint: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Written every N records or T seconds.
        case regular = "checkpoint"
        /// Written when a writer opens the log, so a pause in logging is explicit.
        case start
        /// Written when a writer closes the log.
        case stop
        /// Written by retention just before it deletes records up to ``truncatedThrough``.
        case truncation
    }

    /// 1, 2, 3, ... in order of signing.
    public var number: Int64
    public var kind: Kind
    /// First record covered; `toSequence + 1` for an empty interval.
    public var fromSequence: Int64
    /// Last record covered: the log's newest record when the checkpoint was signed.
    public var toSequence: Int64
    /// Chain hash of record `toSequence`; 64 zeros when the log was still empty.
    public var lastHash: String
    public var time: Date
    /// Hash of the previous checkpoint; 64 zeros for the first.
    public var previousCheckpointHash: String
    /// ``AuditSigningKey/keyID(_:)`` of the signing key.
    public var keyID: String
    /// The writer's policy when signing, so a verifier can judge a silent period.
    public var everyRecords: Int
    public var intervalSeconds: Int
    /// For truncation checkpoints: records up to this sequence number are deleted.
    public var truncatedThrough: Int64?
    /// For truncation checkpoints: the chain hash of record ``truncatedThrough``,
    /// which the first retained record names as its previous hash.
    public var truncatedThroughHash: String?
    /// For truncation checkpoints: the retention cutoff.
    public var truncatedBefore: Date?

    /// Records covered, zero for an empty interval.
    public var recordCount: Int64 { toSequence - fromSequence + 1 }

    public var jsonObject: JSONObject {
        var object: JSONObject = [
            "checkpoint": .integer(number),
            "type": .string(kind.rawValue),
            "from_seq": .integer(fromSequence),
            "to_seq": .integer(toSequence),
            "records": .integer(recordCount),
            "last_hash": .string(lastHash),
            "time": .string(time.formatted(AuditEntry.timeFormat)),
            "previous_checkpoint_hash": .string(previousCheckpointHash),
            "key_id": .string(keyID),
            "algorithm": "Ed25519",
            "every_records": .integer(Int64(everyRecords)),
            "interval_seconds": .integer(Int64(intervalSeconds)),
        ]
        object["truncated_through"] = truncatedThrough.map { .integer($0) }
        object["truncated_through_hash"] = truncatedThroughHash.map { .string($0) }
        object["truncated_before"] = truncatedBefore.map { .string($0.formatted(AuditEntry.timeFormat)) }
        return object
    }

    /// The bytes that are signed.
    public var canonicalBody: Data { JSONValue.object(jsonObject).canonicalized() }

    /// Signs the canonical body with `key`.
    func signed(with key: PrivateKey) throws -> SignedAuditCheckpoint {
        let body = canonicalBody
        let signature = try key.sign(body, algorithm: .ed25519)
        return SignedAuditCheckpoint(checkpoint: self, body: String(decoding: body, as: UTF8.self), signature: Hex.encode(signature))
    }
}

/// A checkpoint as stored: the canonical body text and its signature.
public struct SignedAuditCheckpoint: Sendable, Equatable {
    public var checkpoint: AuditCheckpoint
    /// The canonical JSON that was signed.
    public var body: String
    /// Lower-case hex Ed25519 signature over ``body``.
    public var signature: String

    /// `SHA-256(body ‖ LF ‖ signature hex)`, lower-case hex: what the next checkpoint names.
    public var hash: String { Self.hash(body: body, signature: signature) }

    /// `SHA-256(body ‖ LF ‖ signature)`, lower-case hex, for a stored body that may not parse.
    static func hash(body: String, signature: String) -> String {
        var input = Data(body.utf8)
        input.append(0x0A)
        input.append(contentsOf: signature.utf8)
        return Hex.encode(Digest.sha256(input))
    }

    /// One line of an anchor file: `{"body": <body text>, "signature": "<hex>"}`.
    public var anchorLine: String {
        String(decoding: JSONValue.object(["body": .string(body), "signature": .string(signature)]).serialized(), as: UTF8.self)
    }

    /// True when `key` made ``signature`` over ``body``.
    public func isSigned(by key: PublicKey) -> Bool {
        guard let bytes = Hex.decode(signature) else { return false }
        return key.isValidSignature(bytes, for: Data(body.utf8), algorithm: .ed25519)
    }
}

extension AuditCheckpoint {
    /// Parses a stored body; the reason names the first missing or mistyped member.
    static func parse(body: String) -> Result<AuditCheckpoint, CheckpointParseError> {
        let json: JSONValue
        do {
            json = try JSONValue.parse(Data(body.utf8), limits: JSONLimits(maxDepth: 4, maxBytes: 64 * 1024))
        } catch {
            return .failure(CheckpointParseError(reason: "body is not valid JSON: \(error)"))
        }
        func integer(_ name: String) throws(CheckpointParseError) -> Int64 {
            guard let value = json[name]?.int64Value else { throw CheckpointParseError(reason: "member \"\(name)\" is missing or not an integer") }
            return value
        }
        func string(_ name: String) throws(CheckpointParseError) -> String {
            guard let value = json[name]?.stringValue else { throw CheckpointParseError(reason: "member \"\(name)\" is missing or not a string") }
            return value
        }
        func time(_ text: String, _ name: String) throws(CheckpointParseError) -> Date {
            guard let value = try? Date(text, strategy: AuditEntry.timeFormat) else {
                throw CheckpointParseError(reason: "member \"\(name)\" is not an ISO 8601 time")
            }
            return value
        }
        do throws(CheckpointParseError) {
            guard let kind = Kind(rawValue: try string("type")) else {
                throw CheckpointParseError(reason: "member \"type\" is not one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var checkpoint = AuditCheckpoint(
                number: try integer("checkpoint"), kind: kind, fromSequence: try integer("from_seq"),
                toSequence: try integer("to_seq"), lastHash: try string("last_hash"), time: try time(try string("time"), "time"),
                previousCheckpointHash: try string("previous_checkpoint_hash"), keyID: try string("key_id"),
                everyRecords: Int(try integer("every_records")), intervalSeconds: Int(try integer("interval_seconds"))
            )
            if kind == .truncation {
                checkpoint.truncatedThrough = try integer("truncated_through")
                checkpoint.truncatedThroughHash = try string("truncated_through_hash")
                checkpoint.truncatedBefore = try time(try string("truncated_before"), "truncated_before")
            }
            guard checkpoint.toSequence >= checkpoint.fromSequence - 1, checkpoint.fromSequence >= 1 else {
                throw CheckpointParseError(reason: "from_seq \(checkpoint.fromSequence) and to_seq \(checkpoint.toSequence) are not a range")
            }
            return .success(checkpoint)
        } catch {
            return .failure(error)
        }
    }
}

/// The reason a stored checkpoint body could not be read.
struct CheckpointParseError: Error, Sendable {
    var reason: String
}
