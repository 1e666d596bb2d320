import Foundation
import MoatAudit
import MoatJSON
import MoatSQLite
import Testing

/// Each tamper case edits the file the way an attacker with write access
/// would (triggers dropped first), then checks that the verifier names the
/// first broken record and the kind of break.
@Suite("AuditVerifier")
struct AuditVerifierTests {
    @Test("intact log passes with its count and head hash")
    func intactLogPasses() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let rows = try storedRows(SQLiteDatabase(path: path, readOnly: true))

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.isIntact)
        #expect(verification.firstProblem == nil)
        #expect(verification.recordCount == 5)
        #expect(verification.headHash == rows.last?.hash)
    }

    @Test("stored chain follows the documented hash formula")
    func chainMatchesFormula() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 3)

        let rows = try storedRows(SQLiteDatabase(path: path, readOnly: true))

        var previous = AuditLog.genesisHash
        for row in rows {
            #expect(row.previousHash == previous)
            #expect(row.hash == chainHash(previous: previous, record: Data(row.record.utf8)))
            previous = row.hash
        }
        #expect(rows.count == 3)
    }

    @Test("stored record is RFC 8785 canonical JSON naming its sequence")
    func recordIsCanonical() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 2)

        for row in try storedRows(SQLiteDatabase(path: path, readOnly: true)) {
            let parsed = try JSONValue.parse(Data(row.record.utf8))
            #expect(String(decoding: parsed.canonicalized(), as: UTF8.self) == row.record)
            #expect(parsed["seq"]?.int64Value == row.sequence)
        }
    }

    @Test("empty log passes with the genesis hash")
    func emptyLogPasses() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        _ = try AuditLog(path: path, options: storedOptions())

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.isIntact)
        #expect(verification.recordCount == 0)
        #expect(verification.headHash == AuditLog.genesisHash)
    }

    @Test("edited field is reported as content changed")
    func editedFieldDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let database = try openWithoutTriggers(path)
        try database.run("UPDATE audit_log SET record = replace(record, '\"decision\":\"allow\"', '\"decision\":\"deny\"') WHERE seq = 3")
        #expect(try storedRows(database)[2].record.contains("\"decision\":\"deny\""))

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 3)
        #expect(verification.firstProblem?.kind == .contentChanged)
        #expect(verification.firstProblem?.description.hasPrefix("record 3:") == true)
    }

    @Test("deleted middle record is reported as a gap at the next record")
    func deletedMiddleRecordDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let database = try openWithoutTriggers(path)
        try database.run("DELETE FROM audit_log WHERE seq = 3")

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 4)
        #expect(verification.firstProblem?.kind == .gap)
    }

    @Test("deleted and renumbered record is reported as a broken link")
    func deletedAndRenumberedDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let database = try openWithoutTriggers(path)
        try database.run("DELETE FROM audit_log WHERE seq = 3")
        try database.run("UPDATE audit_log SET seq = seq - 1 WHERE seq > 3")

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 3)
        #expect(verification.firstProblem?.kind == .brokenLink)
    }

    @Test("swapped rows are reported as reordered")
    func swappedRowsDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let database = try openWithoutTriggers(path)
        let rows = try storedRows(database)
        // Swap record, prev_hash and hash together, so each row still matches its own hash.
        for (target, source) in [(rows[1], rows[2]), (rows[2], rows[1])] {
            try database.run(
                "UPDATE audit_log SET record = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                [.text(source.record), .text(source.previousHash), .text(source.hash), .integer(target.sequence)]
            )
        }

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 2)
        #expect(verification.firstProblem?.kind == .reordered)
    }

    @Test("swapped record texts are reported as content changed")
    func swappedRecordTextsDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let database = try openWithoutTriggers(path)
        let rows = try storedRows(database)
        try database.run("UPDATE audit_log SET record = ? WHERE seq = 2", [.text(rows[2].record)])
        try database.run("UPDATE audit_log SET record = ? WHERE seq = 3", [.text(rows[1].record)])

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 2)
        #expect(verification.firstProblem?.kind == .contentChanged)
    }

    @Test("forged record with a recomputed hash is reported at the next record")
    func forgedInsertDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let database = try openWithoutTriggers(path)
        let rows = try storedRows(database)

        // Make room at 3 in two steps, because seq is the primary key.
        try database.run("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3")
        try database.run("UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000")
        // A well-formed record for seq 3, chained to record 2 exactly as the log would.
        var forged = try #require(try JSONValue.parse(Data(rows[1].record.utf8)).objectValue)
        forged["seq"] = .integer(3)
        forged["request_id"] = .string("forged-request")
        let canonical = JSONValue.object(forged).canonicalized()
        let forgedHash = chainHash(previous: rows[1].hash, record: canonical)
        // The query columns repeat the forged record, as the log would write them.
        try database.run(
            """
            INSERT INTO audit_log (seq, time, request_id, user_id, action, decision, record, prev_hash, hash)
            SELECT 3, time, 'forged-request', user_id, action, decision, ?, ?, ? FROM audit_log WHERE seq = 2
            """,
            [.text(String(decoding: canonical, as: UTF8.self)), .text(rows[1].hash), .text(forgedHash)]
        )

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.recordCount == 4)
        #expect(verification.firstProblem?.sequence == 4)
        #expect(verification.firstProblem?.kind == .brokenLink)
    }

    @Test("changed stored hash is reported at its record")
    func changedHashDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let database = try openWithoutTriggers(path)
        try database.run("UPDATE audit_log SET hash = ? WHERE seq = 3", [.text(String(repeating: "f", count: 64))])

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 3)
        #expect(verification.firstProblem?.kind == .contentChanged)
    }

    @Test("changed hash and next link are reported at the changed record")
    func changedHashAndLinkDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let database = try openWithoutTriggers(path)
        let forgedHash = String(repeating: "f", count: 64)
        try database.run("UPDATE audit_log SET hash = ? WHERE seq = 3", [.text(forgedHash)])
        try database.run("UPDATE audit_log SET prev_hash = ? WHERE seq = 4", [.text(forgedHash)])

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 3)
        #expect(verification.firstProblem?.kind == .contentChanged)
    }

    @Test("record naming another sequence number is malformed")
    func sequenceMismatchDetected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 3)
        let database = try openWithoutTriggers(path)
        let rows = try storedRows(database)
        // Record 2 rewritten to claim seq 7 and the chain recomputed, so only the number disagrees.
        var object = try #require(try JSONValue.parse(Data(rows[1].record.utf8)).objectValue)
        object["seq"] = .integer(7)
        let canonical = JSONValue.object(object).canonicalized()
        try database.run("UPDATE audit_log SET record = ? WHERE seq = 2", [.text(String(decoding: canonical, as: UTF8.self))])
        try rechain(database, from: 2)

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 2)
        #expect(verification.firstProblem?.kind == .malformedRecord)
    }

    @Test("edited query column is reported as a column mismatch", arguments: [
        "action = 'audit.read'",
        "user_id = 'tenant-1:someone-else'",
        "request_id = 'other-request'",
        "decision = 'deny'",
        "time = '2030-01-01T00:00:00.000Z'",
    ])
    func editedColumnDetected(assignment: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 3)
        let database = try openWithoutTriggers(path)
        try database.run("UPDATE audit_log SET \(assignment) WHERE seq = 2")

        let verification = try AuditVerifier.verify(path: path)

        #expect(verification.firstProblem?.sequence == 2)
        #expect(verification.firstProblem?.kind == .columnMismatch)
    }

    /// Without signed checkpoints or a head hash kept elsewhere, removing
    /// the newest records leaves a shorter chain that is still valid. The
    /// verifier reports a smaller count and another head hash; only a
    /// comparison with a copy of the earlier head detects the cut.
    @Test("unsigned log: tail cut passes verification")
    func tailCutIsUndetectable() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let before = try AuditVerifier.verify(path: path)
        let database = try openWithoutTriggers(path)
        let rows = try storedRows(database)
        try database.run("DELETE FROM audit_log WHERE seq > 3")

        let after = try AuditVerifier.verify(path: path)

        #expect(after.isIntact)
        #expect(after.recordCount == 3)
        #expect(after.headHash == rows[2].hash)
        #expect(after.headHash != before.headHash)
    }

    /// The chain is unkeyed SHA-256, so an attacker who edits a record and
    /// recomputes every later hash produces a chain that verifies. Only the
    /// head hash differs from the one before the edit; signed checkpoints
    /// close this gap (see AuditTamperTests).
    @Test("unsigned log: rewritten and rechained log passes")
    func rechainedLogIsUndetectable() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let before = try AuditVerifier.verify(path: path)
        let database = try openWithoutTriggers(path)
        try database.run("UPDATE audit_log SET record = replace(record, '\"decision\":\"allow\"', '\"decision\":\"deny\"'), decision = 'deny' WHERE seq = 2")
        try rechain(database, from: 2)

        let after = try AuditVerifier.verify(path: path)

        #expect(after.isIntact)
        #expect(after.recordCount == 5)
        #expect(after.headHash != before.headHash)
    }
}
