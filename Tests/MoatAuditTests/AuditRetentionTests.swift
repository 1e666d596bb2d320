import Foundation
import MoatAudit
import MoatCrypto
import MoatJSON
import MoatSQLite
import Testing

@Suite("AuditLog retention")
struct AuditRetentionTests {
    /// Ten records one second apart from 1_800_000_001, then retention before record 5's time.
    static func prunedLog() throws -> (TemporaryFolder, PrivateKey, RetentionOutcome) {
        let folder = try TemporaryFolder()
        let key = try PrivateKey.generateEd25519()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions(every: 4), signingKey: key)
        for number in 1...10 {
            try log.append(sampleEntry(number))
        }
        let outcome = try #require(try log.applyRetention(before: Date(timeIntervalSince1970: 1_800_000_005)))
        try log.append(sampleEntry(11))
        log.close()
        return (folder, key, outcome)
    }

    static func verify(_ folder: TemporaryFolder, _ key: PrivateKey) throws -> AuditVerification {
        try AuditVerifier.verify(path: folder.path("audit.sqlite"), options: AuditVerifyOptions(trustedKeys: [key.publicKey]))
    }

    @Test("retention deletes older records behind a signed truncation checkpoint")
    func retentionDeletesAndSigns() throws {
        let (folder, key, outcome) = try Self.prunedLog()

        let rows = try storedRows(SQLiteDatabase(path: folder.path("audit.sqlite"), readOnly: true))

        #expect(outcome.deletedThrough == 4)
        #expect(outcome.deletedCount == 4)
        #expect(outcome.checkpoint.checkpoint.kind == .truncation)
        #expect(outcome.checkpoint.checkpoint.truncatedThrough == 4)
        #expect(outcome.checkpoint.isSigned(by: key.publicKey))
        #expect(rows.map(\.sequence) == Array(5...11))
    }

    @Test("log still verifies after retention")
    func verifiesAfterRetention() throws {
        let (folder, key, _) = try Self.prunedLog()

        let verification = try Self.verify(folder, key)

        #expect(verification.problems == [])
        #expect(verification.firstSequence == 5)
        #expect(verification.recordCount == 7)
    }

    @Test("edit after retention is named")
    func editAfterRetention() throws {
        let (folder, key, _) = try Self.prunedLog()
        let database = try openWithoutTriggers(folder.path("audit.sqlite"))
        try database.run("UPDATE audit_log SET record = replace(record, 'request-7', 'request-x'), request_id = 'request-x' WHERE seq = 7")

        let problem = try #require(try Self.verify(folder, key).firstProblem)

        #expect(problem.kind == .contentChanged)
        #expect(problem.sequence == 7)
    }

    @Test("records deleted beyond the truncation are a gap")
    func deletionBeyondTruncation() throws {
        let (folder, key, _) = try Self.prunedLog()
        try openWithoutTriggers(folder.path("audit.sqlite")).run("DELETE FROM audit_log WHERE seq <= 6")

        let problem = try #require(try Self.verify(folder, key).firstProblem)

        #expect(problem.kind == .gap)
        #expect(problem.sequence == 7)
    }

    @Test("truncation checkpoint edited to release more records fails its signature")
    func truncationCheckpointEdited() throws {
        let (folder, key, outcome) = try Self.prunedLog()
        let database = try openWithoutTriggers(folder.path("audit.sqlite"))
        var body = outcome.checkpoint.checkpoint.jsonObject
        body["truncated_through"] = .integer(6)
        try database.run(
            "UPDATE audit_checkpoints SET body = ?, truncated_through = 6 WHERE number = ?",
            [.text(String(decoding: JSONValue.object(body).canonicalized(), as: UTF8.self)), .integer(outcome.checkpoint.checkpoint.number)]
        )
        try database.run("DELETE FROM audit_log WHERE seq <= 6")

        let verification = try Self.verify(folder, key)

        #expect(verification.problems.contains { $0.kind == .checkpointBadSignature })
        #expect(verification.problems.contains { $0.kind == .gap && $0.sequence == 7 })
    }

    @Test("trigger allows deleting only released records")
    func triggerAllowsReleasedOnly() throws {
        let (folder, _, _) = try Self.prunedLog()
        let database = try SQLiteDatabase(path: folder.path("audit.sqlite"))

        #expect(throws: SQLiteError.self) {
            try database.run("DELETE FROM audit_log WHERE seq = 5")
        }
    }

    @Test("retention with nothing old enough changes nothing")
    func nothingToDelete() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions(), signingKey: try PrivateKey.generateEd25519())
        try log.append(sampleEntry(1))

        #expect(try log.applyRetention(before: Date(timeIntervalSince1970: 1_000_000_000)) == nil)
        #expect(try log.count() == 1)
    }

    @Test("retention of every record keeps the chain going")
    func retentionOfEverything() throws {
        let folder = try TemporaryFolder()
        let key = try PrivateKey.generateEd25519()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions(), signingKey: key)
        try log.append(sampleEntry(1))
        try log.append(sampleEntry(2))

        let outcome = try log.applyRetention(before: Date(timeIntervalSince1970: 1_900_000_000))
        let next = try log.append(sampleEntry(3))
        log.close()

        #expect(outcome?.deletedThrough == 2)
        #expect(next == 3)
        #expect(try Self.verify(folder, key).problems == [])
    }

    @Test("retention without a signing key is refused")
    func retentionNeedsKey() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions())

        let error = #expect(throws: AuditError.self) {
            try log.applyRetention(before: Date())
        }

        #expect(error?.code == "invalid_configuration")
    }
}
