import Foundation
import MoatAudit
import MoatCore
import MoatCrypto
import MoatSQLite
import Testing

@Suite("AuditLog write failures")
struct AuditFailureTests {
    @Test("full database fails the append and logs the error")
    func fullDatabaseFails() throws {
        let folder = try TemporaryFolder()
        var options = storedOptions()
        options.maxDatabaseBytes = 128 * 1024
        let logs = InMemoryLogHandler()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: options, logger: Logger(label: "test", handler: logs))
        var entry = sampleEntry(1)
        entry.answer = String(repeating: "x", count: 8 * 1024)

        var failure: AuditError?
        for _ in 0..<200 {
            do {
                try log.append(entry)
            } catch let error as AuditError {
                failure = error
                break
            }
        }

        #expect(failure?.code == "audit_write_failed")
        #expect(failure?.reason.contains("full") == true)
        #expect(logs.entries.contains { $0.message == "audit batch not written" })
        #expect(try AuditVerifier.verify(path: folder.path("audit.sqlite")).isIntact)
    }

    @Test("write lock held past the timeout fails the append, then writing resumes")
    func lockedDatabaseFails() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        var options = storedOptions()
        options.lockTimeout = 0.2
        let log = try AuditLog(path: path, options: options)
        try log.append(sampleEntry(1))
        let other = try SQLiteDatabase(path: path)
        try other.execute("BEGIN IMMEDIATE")

        let error = #expect(throws: AuditError.self) {
            try log.append(sampleEntry(2))
        }
        try other.execute("ROLLBACK")

        #expect(error?.code == "audit_write_failed")
        #expect(try log.append(sampleEntry(3)) == 2)
    }

    @Test("options out of range are rejected", arguments: [
        AuditLogOptions(contentPolicies: ContentPolicies(prompt: .stored, answer: .stored), checkpointEveryRecords: 0),
        AuditLogOptions(contentPolicies: ContentPolicies(prompt: .stored, answer: .stored), checkpointInterval: 0),
        AuditLogOptions(contentPolicies: ContentPolicies(prompt: .stored, answer: .stored), maxDatabaseBytes: 1000),
    ])
    func invalidOptions(options: AuditLogOptions) throws {
        let folder = try TemporaryFolder()

        let error = #expect(throws: AuditError.self) {
            try AuditLog(path: folder.path("audit.sqlite"), options: options)
        }

        #expect(error?.code == "invalid_configuration")
    }

    @Test("signing key of another type is rejected")
    func nonEd25519SigningKey() throws {
        let folder = try TemporaryFolder()

        let error = #expect(throws: AuditError.self) {
            try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions(), signingKey: try PrivateKey.generateEC(curve: .p256))
        }

        #expect(error?.code == "invalid_configuration")
    }

    @Test("fail-open counter counts dropped records")
    func failOpenCounter() throws {
        let folder = try TemporaryFolder()
        var options = storedOptions()
        options.failOpen = true
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: options)

        #expect(log.isFailOpen)
        #expect(log.countDroppedRecord() == 1)
        #expect(log.countDroppedRecord() == 2)
        #expect(log.droppedRecordCount == 2)
    }
}
