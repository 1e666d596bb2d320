import Foundation
import MoatCrypto
import MoatSQLite

/// The checkpoint chain as the verifier reads it.
struct CheckpointChain {
    /// Checkpoints that parse, are linked and, when keys are given, are validly signed.
    var trusted: [AuditCheckpoint] = []
    /// Every stored checkpoint by number, valid or not, for comparison with the anchor.
    var stored: [Int64: SignedAuditCheckpoint] = [:]
    var count = 0
    var problems: [AuditVerification.Problem] = []

    /// The newest trusted truncation: records up to `through` are released, and the
    /// first retained record must link to `hash`.
    var truncation: (through: Int64, hash: String)? {
        trusted.filter { $0.kind == .truncation }.compactMap { checkpoint in
            checkpoint.truncatedThrough.flatMap { through in checkpoint.truncatedThroughHash.map { (through, $0) } }
        }.max { $0.0 < $1.0 }
    }
}

extension AuditVerifier {
    /// Checks every checkpoint: body, number, link to the previous one, covered range and signature.
    static func readCheckpoints(_ database: SQLiteDatabase, keys: [PublicKey]) throws -> CheckpointChain {
        let keysByID = Dictionary(keys.map { (AuditSigningKey.keyID($0), $0) }, uniquingKeysWith: { first, _ in first })
        var chain = CheckpointChain()
        var previousHash = AuditLog.genesisHash
        var previousTo: Int64 = 0
        var expectedNumber: Int64 = 1
        let rows = try database.query("SELECT number, to_seq, truncated_through, body, signature FROM audit_checkpoints ORDER BY number")
        for row in rows {
            chain.count += 1
            let number = row.int64("number") ?? -1
            let body = row.string("body") ?? ""
            let signature = row.string("signature") ?? ""
            let hash = SignedAuditCheckpoint.hash(body: body, signature: signature)
            defer {
                previousHash = hash
                expectedNumber = number + 1
            }
            func fail(_ kind: AuditVerification.Problem.Kind, _ detail: String) {
                chain.problems.append(.init(kind: kind, checkpoint: number, detail: detail))
            }
            let checkpoint: AuditCheckpoint
            switch AuditCheckpoint.parse(body: body) {
            case .failure(let error):
                fail(.checkpointMalformed, error.reason)
                continue
            case .success(let parsed):
                checkpoint = parsed
            }
            chain.stored[number] = SignedAuditCheckpoint(checkpoint: checkpoint, body: body, signature: signature)
            defer { previousTo = max(previousTo, checkpoint.toSequence) }
            guard checkpoint.number == number, row.int64("to_seq") == checkpoint.toSequence,
                  row.int64("truncated_through") == checkpoint.truncatedThrough
            else {
                fail(.checkpointMalformed, "the row's number, to_seq or truncated_through disagrees with the signed body (the row was edited)")
                continue
            }
            if !keys.isEmpty {
                guard let key = keysByID[checkpoint.keyID] else {
                    fail(.checkpointUnknownKey, "signed by key \(checkpoint.keyID.prefix(16))…, which is not among the trusted keys")
                    continue
                }
                guard chain.stored[number]!.isSigned(by: key) else {
                    fail(.checkpointBadSignature, "the signature does not verify under key \(checkpoint.keyID.prefix(16))… (the body or signature was replaced)")
                    continue
                }
            }
            if number != expectedNumber {
                fail(.checkpointOutOfOrder, "expected checkpoint \(expectedNumber) next (checkpoints \(expectedNumber)...\(number - 1) are missing)")
            } else if checkpoint.previousCheckpointHash != previousHash {
                fail(.checkpointBrokenLink, "the previous-checkpoint hash is not that of checkpoint \(number - 1) (a checkpoint was replaced, removed or inserted)")
            } else if checkpoint.toSequence < previousTo || checkpoint.fromSequence != previousTo + 1 {
                fail(
                    .checkpointOutOfOrder,
                    "covers records \(checkpoint.fromSequence)...\(checkpoint.toSequence) but checkpoint \(number - 1) ended at \(previousTo) (records were cut or checkpoints reordered)"
                )
            }
            chain.trusted.append(checkpoint)
        }
        return chain
    }

    /// Compares the database's checkpoints with the anchor's copies and reports a tail cut
    /// when a trusted checkpoint or anchor entry covers records beyond the log's tip.
    static func tailProblems(chain: CheckpointChain, anchor: [SignedAuditCheckpoint], keys: [PublicKey], tip: Int64) -> [AuditVerification.Problem] {
        var problems: [AuditVerification.Problem] = []
        if let newest = chain.trusted.max(by: { $0.toSequence < $1.toSequence }), newest.toSequence > tip {
            problems.append(.init(
                kind: .tailCut, sequence: tip + 1, checkpoint: newest.number,
                detail: "checkpoint \(newest.number) signed records up to \(newest.toSequence), but the log ends at \(tip): records \(tip + 1)...\(newest.toSequence) were removed"
            ))
        }
        let keysByID = Dictionary(keys.map { (AuditSigningKey.keyID($0), $0) }, uniquingKeysWith: { first, _ in first })
        let newestStored = chain.stored.keys.max() ?? 0
        for copy in anchor {
            let number = copy.checkpoint.number
            if !keys.isEmpty, !(keysByID[copy.checkpoint.keyID].map(copy.isSigned(by:)) ?? false) {
                problems.append(.init(kind: .anchorMismatch, checkpoint: number, detail: "the anchor's copy is not signed by a trusted key"))
                continue
            }
            if let stored = chain.stored[number] {
                if stored.body != copy.body || stored.signature != copy.signature {
                    problems.append(.init(kind: .anchorMismatch, checkpoint: number, detail: "differs from the anchor's copy (the checkpoint was replaced)"))
                }
            } else if number > newestStored {
                problems.append(.init(
                    kind: .tailCut, checkpoint: number,
                    detail: "the anchor holds checkpoint \(number), but the log's checkpoints end at \(newestStored) (checkpoints were removed from the tail)"
                ))
            } else {
                problems.append(.init(kind: .anchorMismatch, checkpoint: number, detail: "the anchor holds this checkpoint but the log does not (it was removed)"))
            }
            if copy.checkpoint.toSequence > tip {
                problems.append(.init(
                    kind: .tailCut, sequence: tip + 1, checkpoint: number,
                    detail: "the anchor's checkpoint \(number) signed records up to \(copy.checkpoint.toSequence), but the log ends at \(tip)"
                ))
            }
        }
        return problems
    }
}
