import Foundation
import MoatAudit
import MoatCrypto
import MoatJSON
import MoatSQLite
import Testing

/// The tamper cases a signed log must reveal. Each test builds ten records
/// with a checkpoint every four (checkpoints: start 0, 1...4, 5...8, stop
/// 9...10), edits the file as an attacker with write access to the database
/// would, and checks what the verifier names.
@Suite("Audit tamper detection")
struct AuditTamperTests {
    struct SignedLog {
        let folder: TemporaryFolder
        let key: PrivateKey
        var path: String { folder.path("audit.sqlite") }
        var anchorPath: String { folder.path("anchors.jsonl") }

        init(count: Int = 10) throws {
            folder = try TemporaryFolder()
            key = try PrivateKey.generateEd25519()
            var options = storedOptions(every: 4)
            options.anchorPath = folder.path("anchors.jsonl")
            try makeLog(at: folder.path("audit.sqlite"), count: count, signingKey: key, options: options)
        }

        func verify(anchor: Bool = false, from: Int64? = nil, to: Int64? = nil) throws -> AuditVerification {
            var options = AuditVerifyOptions(fromSequence: from, toSequence: to, trustedKeys: [key.publicKey])
            if anchor {
                options.anchor = try AuditAnchor.load(path: anchorPath).checkpoints
            }
            return try AuditVerifier.verify(path: path, options: options)
        }
    }

    @Test("untouched signed log passes with every record covered")
    func untouchedLogPasses() throws {
        let log = try SignedLog()

        let verification = try log.verify(anchor: true)

        #expect(verification.problems == [])
        #expect(verification.recordCount == 10)
        #expect(verification.checkpointCount == 4)
        #expect(verification.signaturesChecked)
        #expect(verification.uncoveredRecordCount == 0)
    }

    @Test("edited field is named at its record")
    func editedField() throws {
        let log = try SignedLog()
        let database = try openWithoutTriggers(log.path)
        try database.run("UPDATE audit_log SET record = replace(record, '\"decision\":\"allow\"', '\"decision\":\"deny\"'), decision = 'deny' WHERE seq = 6")

        let problem = try #require(try log.verify().firstProblem)

        #expect(problem.kind == .contentChanged)
        #expect(problem.sequence == 6)
    }

    @Test("edited field with the chain recomputed is named at the next checkpoint")
    func editedAndRechained() throws {
        let log = try SignedLog()
        let database = try openWithoutTriggers(log.path)
        try database.run("UPDATE audit_log SET record = replace(record, '\"decision\":\"allow\"', '\"decision\":\"deny\"'), decision = 'deny' WHERE seq = 6")
        try rechain(database, from: 6)

        let problem = try #require(try log.verify().firstProblem)

        #expect(problem.kind == .checkpointMismatch)
        #expect(problem.sequence == 8)
        #expect(problem.checkpoint == 3)
    }

    @Test("deleted record is a gap at the next record")
    func deletedRecord() throws {
        let log = try SignedLog()
        try openWithoutTriggers(log.path).run("DELETE FROM audit_log WHERE seq = 6")

        let problem = try #require(try log.verify().firstProblem)

        #expect(problem.kind == .gap)
        #expect(problem.sequence == 7)
    }

    @Test("two swapped records are named as reordered")
    func swappedRecords() throws {
        let log = try SignedLog()
        let database = try openWithoutTriggers(log.path)
        let rows = try storedRows(database)
        for (target, source) in [(rows[5], rows[6]), (rows[6], rows[5])] {
            try database.run(
                "UPDATE audit_log SET record = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                [.text(source.record), .text(source.previousHash), .text(source.hash), .integer(target.sequence)]
            )
        }

        let problem = try #require(try log.verify().firstProblem)

        #expect(problem.kind == .reordered)
        #expect(problem.sequence == 6)
    }

    @Test("forged record inserted and chained is named at the next checkpoint")
    func insertedForgery() throws {
        let log = try SignedLog()
        let database = try openWithoutTriggers(log.path)
        let rows = try storedRows(database)
        // Shift records 6...10 up by one, then write a forged record 6 linked to record 5.
        try database.run("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 6")
        try database.run("UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000")
        var forged = try #require(try JSONValue.parse(Data(rows[4].record.utf8)).objectValue)
        forged["seq"] = .integer(6)
        forged["request_id"] = .string("forged-request")
        let canonical = String(decoding: JSONValue.object(forged).canonicalized(), as: UTF8.self)
        try database.run(
            """
            INSERT INTO audit_log (seq, time, request_id, user_id, action, decision, record, prev_hash, hash)
            SELECT 6, time, 'forged-request', user_id, action, decision, ?, ?, ? FROM audit_log WHERE seq = 5
            """,
            [.text(canonical), .text(rows[4].hash), .text(chainHash(previous: rows[4].hash, record: Data(canonical.utf8)))]
        )

        let plain = try #require(try log.verify().firstProblem)
        #expect(plain.kind == .brokenLink)
        #expect(plain.sequence == 7)

        // Renumbering the shifted records and recomputing the chain still leaves record 8's hash unsigned.
        for row in try storedRows(database) where row.sequence > 6 {
            var object = try #require(try JSONValue.parse(Data(row.record.utf8)).objectValue)
            object["seq"] = .integer(row.sequence)
            try database.run("UPDATE audit_log SET record = ? WHERE seq = ?", [.text(String(decoding: JSONValue.object(object).canonicalized(), as: UTF8.self)), .integer(row.sequence)])
        }
        try rechain(database, from: 7)
        let rechained = try #require(try log.verify().firstProblem)
        #expect(rechained.kind == .checkpointMismatch)
        #expect(rechained.sequence == 8)
    }

    @Test("tail cut below the newest checkpoint is named")
    func tailCutBelowCheckpoint() throws {
        let log = try SignedLog()
        try openWithoutTriggers(log.path).run("DELETE FROM audit_log WHERE seq > 7")

        let verification = try log.verify()

        let problem = try #require(verification.problems.first { $0.kind == .tailCut })
        #expect(problem.sequence == 8)
        #expect(problem.checkpoint == 4)
        #expect(problem.detail.contains("records 8...10 were removed"))
    }

    @Test("tail cut with its checkpoints removed is named only by the anchor")
    func tailCutWithCheckpointsNeedsAnchor() throws {
        let log = try SignedLog()
        let database = try openWithoutTriggers(log.path)
        try database.run("DELETE FROM audit_log WHERE seq > 8")
        try database.run("DELETE FROM audit_checkpoints WHERE number = 4")

        let withoutAnchor = try log.verify()
        let withAnchor = try log.verify(anchor: true)

        #expect(withoutAnchor.isIntact)
        #expect(withoutAnchor.recordCount == 8)
        #expect(withAnchor.problems.contains { $0.kind == .tailCut && $0.checkpoint == 4 })
        #expect(withAnchor.problems.contains { $0.kind == .tailCut && $0.sequence == 9 })
    }

    @Test("records after the newest checkpoint are protected by the chain only")
    func uncoveredTailIsNotDetectable() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let key = try PrivateKey.generateEd25519()
        let log = try AuditLog(path: path, options: storedOptions(every: 4), signingKey: key)
        for number in 1...6 {
            try log.append(sampleEntry(number))
        }
        // The writer stops without a stop checkpoint, as after a crash: records 5 and 6 are uncovered.
        let database = try openWithoutTriggers(path)
        try database.run("DELETE FROM audit_log WHERE seq > 4")

        let verification = try AuditVerifier.verify(path: path, options: AuditVerifyOptions(trustedKeys: [key.publicKey]))

        #expect(verification.isIntact)
        #expect(verification.recordCount == 4)
        withExtendedLifetime(log) {}
    }

    @Test("replaced checkpoint body fails its signature and the next link")
    func replacedCheckpoint() throws {
        let log = try SignedLog()
        let database = try openWithoutTriggers(log.path)
        let checkpoint = try #require(try storedCheckpoints(database).first { $0.number == 3 })
        var body = try #require(checkpoint.json.objectValue)
        body["last_hash"] = .string(String(repeating: "a", count: 64))
        try database.run("UPDATE audit_checkpoints SET body = ? WHERE number = 3", [.text(String(decoding: JSONValue.object(body).canonicalized(), as: UTF8.self))])

        let verification = try log.verify()

        #expect(verification.problems.contains { $0.kind == .checkpointBadSignature && $0.checkpoint == 3 })
        #expect(verification.problems.contains { $0.kind == .checkpointBrokenLink && $0.checkpoint == 4 })
        #expect(try log.verify(anchor: true).problems.contains { $0.kind == .anchorMismatch && $0.checkpoint == 3 })
    }

    @Test("checkpoint forged with another key is named, under its own or the real key id")
    func forgedCheckpoint() throws {
        let log = try SignedLog()
        let database = try openWithoutTriggers(log.path)
        let attacker = try PrivateKey.generateEd25519()
        let attackerKeyID = hex(Digest.sha256(attacker.publicKey.derSubjectPublicKeyInfo()))
        let realKeyID = hex(Digest.sha256(log.key.publicKey.derSubjectPublicKeyInfo()))
        let last = try #require(try storedCheckpoints(database).last)

        for (number, keyID) in [(Int64(5), attackerKeyID), (Int64(6), realKeyID)] {
            var body = try #require(last.json.objectValue)
            body["checkpoint"] = .integer(number)
            body["key_id"] = .string(keyID)
            let text = String(decoding: JSONValue.object(body).canonicalized(), as: UTF8.self)
            let signature = hex(try attacker.sign(Data(text.utf8), algorithm: .ed25519))
            try database.run(
                "INSERT INTO audit_checkpoints (number, to_seq, truncated_through, body, signature) VALUES (?, 10, NULL, ?, ?)",
                [.integer(number), .text(text), .text(signature)]
            )
        }

        let verification = try log.verify()

        #expect(verification.problems.contains { $0.kind == .checkpointUnknownKey && $0.checkpoint == 5 })
        #expect(verification.problems.contains { $0.kind == .checkpointBadSignature && $0.checkpoint == 6 })
    }

    @Test("whole log re-signed with another key fails under the exported key")
    func resignedLogFails() throws {
        let log = try SignedLog()
        let attacker = try PrivateKey.generateEd25519()
        let verification = try AuditVerifier.verify(path: log.path, options: AuditVerifyOptions(trustedKeys: [attacker.publicKey]))

        #expect(verification.problems.count == 4)
        #expect(verification.problems.allSatisfy { $0.kind == .checkpointUnknownKey })
    }

    @Test("removed middle checkpoint breaks the checkpoint sequence")
    func removedCheckpoint() throws {
        let log = try SignedLog()
        try openWithoutTriggers(log.path).run("DELETE FROM audit_checkpoints WHERE number = 2")

        let verification = try log.verify()

        #expect(verification.problems.contains { $0.kind == .checkpointOutOfOrder && $0.checkpoint == 3 })
    }

    @Test("range verification walks from the checkpoint before it")
    func rangeVerification() throws {
        let log = try SignedLog()

        let verification = try log.verify(from: 6, to: 7)

        #expect(verification.isIntact)
        #expect(verification.firstSequence == 5)
        #expect(verification.lastSequence == 8)
        #expect(verification.recordCount == 4)
    }

    @Test("range verification names an edit inside the range")
    func rangeVerificationFindsEdit() throws {
        let log = try SignedLog()
        let database = try openWithoutTriggers(log.path)
        try database.run("UPDATE audit_log SET record = replace(record, 'request-6', 'request-x'), request_id = 'request-x' WHERE seq = 6")

        let inside = try log.verify(from: 5, to: 8)
        let outside = try log.verify(from: 1, to: 4)

        #expect(inside.firstProblem?.sequence == 6)
        #expect(inside.firstProblem?.kind == .contentChanged)
        #expect(outside.isIntact)
    }
}
