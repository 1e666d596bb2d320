import Foundation
import MoatAudit
import MoatCrypto
import MoatSQLite
import Testing

@Suite("AuditVerifier and AuditLog on bad files")
struct AuditBadInputTests {
    @Test("verify on a missing file reports audit_log_missing")
    func missingFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("absent.sqlite")

        let error = #expect(throws: AuditError.self) {
            try AuditVerifier.verify(path: path)
        }

        #expect(error?.code == "audit_log_missing")
        #expect(error?.reason.contains(path) == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("verify on a file that is not SQLite reports audit_log_unreadable")
    func notSQLite() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("notes.sqlite")
        try Data(String(repeating: "this is a text file, not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: AuditError.self) {
            try AuditVerifier.verify(path: path)
        }

        #expect(error?.code == "audit_log_unreadable")
        #expect(error?.reason.contains(path) == true)
    }

    @Test("verify on an empty file reports audit_log_unreadable")
    func emptyFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))

        let error = #expect(throws: AuditError.self) {
            try AuditVerifier.verify(path: path)
        }

        #expect(error?.code == "audit_log_unreadable")
    }

    @Test("verify on a database without the audit table reports audit_log_unreadable")
    func missingTable() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("other.sqlite")
        let database = try SQLiteDatabase(path: path)
        try database.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")

        let error = #expect(throws: AuditError.self) {
            try AuditVerifier.verify(path: path)
        }

        #expect(error?.code == "audit_log_unreadable")
        #expect(error?.reason.contains("audit_log") == true)
    }

    @Test("verify on a folder reports audit_log_unreadable")
    func folderPath() throws {
        let folder = try TemporaryFolder()

        let error = #expect(throws: AuditError.self) {
            try AuditVerifier.verify(path: folder.url.path)
        }

        #expect(error?.code == "audit_log_unreadable")
    }

    @Test("opening a log on a file that is not SQLite throws AuditError")
    func openNotSQLite() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("notes.sqlite")
        try Data(String(repeating: "this is a text file, not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: AuditError.self) {
            try AuditLog(path: path, options: storedOptions())
        }

        #expect(error?.code == "audit_log_unreadable")
        #expect(error?.reason.contains(path) == true)
    }

    @Test("opening a log in a missing folder throws AuditError")
    func openInMissingFolder() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("missing/audit.sqlite")

        let error = #expect(throws: AuditError.self) {
            try AuditLog(path: path, options: storedOptions())
        }

        #expect(error?.code == "audit_log_unreadable")
    }
}

@Suite("AuditVerifier on damaged files")
struct AuditDamagedFileTests {
    @Test("verify on a database with damaged pages reports an error or a problem, never a crash")
    func damagedPages() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 300, signingKey: try PrivateKey.generateEd25519())
        try SQLiteDatabase(path: path).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // Overwrite everything after the first page (the header) with a repeating pattern.
        for index in stride(from: 4096, to: bytes.count, by: 1) {
            bytes[index] = UInt8(truncatingIfNeeded: index * 31)
        }
        try bytes.write(to: URL(fileURLWithPath: path))

        do {
            let verification = try AuditVerifier.verify(path: path)
            #expect(!verification.isIntact)
        } catch let error as AuditError {
            #expect(error.code == "audit_log_unreadable")
            #expect(error.reason.contains(path))
        }
    }

    @Test("verify on a truncated database file reports an error or a problem")
    func truncatedFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 300)
        try SQLiteDatabase(path: path).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))

        do {
            let verification = try AuditVerifier.verify(path: path)
            #expect(!verification.isIntact)
        } catch let error as AuditError {
            #expect(error.code == "audit_log_unreadable")
        }
    }

    @Test("checkpoint row that is not a checkpoint is a problem, not an error")
    func malformedCheckpointRow() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let key = try PrivateKey.generateEd25519()
        try makeLog(at: path, count: 3, signingKey: key)
        try openWithoutTriggers(path).run("UPDATE audit_checkpoints SET body = '{\"checkpoint\": \"one\"' WHERE number = 1")

        let verification = try AuditVerifier.verify(path: path, options: AuditVerifyOptions(trustedKeys: [key.publicKey]))

        #expect(verification.problems.contains { $0.kind == .checkpointMalformed && $0.checkpoint == 1 })
    }

    @Test("anchor file that is not checkpoints is rejected with its line", arguments: [
        "not json\n", "{\"body\": 1, \"signature\": \"00\"}\n", "{\"body\": \"{}\", \"signature\": \"00\"}\n",
    ])
    func invalidAnchorFile(content: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("anchors.jsonl")
        try content.write(toFile: path, atomically: true, encoding: .utf8)

        let error = #expect(throws: AuditError.self) {
            try AuditAnchor.load(path: path)
        }

        #expect(error?.code == "anchor_invalid")
        #expect(error?.reason.contains("line 1") == true)
    }

    @Test("anchor file with an unterminated last line skips it with a note")
    func tornAnchorLine() throws {
        let folder = try TemporaryFolder()
        var options = storedOptions()
        options.anchorPath = folder.path("anchors.jsonl")
        try makeLog(at: folder.path("audit.sqlite"), count: 1, signingKey: try PrivateKey.generateEd25519(), options: options)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path("anchors.jsonl")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"body\": \"{\\\"checkp".utf8))
        try handle.close()

        let anchor = try AuditAnchor.load(path: folder.path("anchors.jsonl"))

        #expect(anchor.checkpoints.count == 2)
        #expect(anchor.notes.count == 1)
    }

    @Test("missing anchor file is rejected")
    func missingAnchorFile() throws {
        let error = #expect(throws: AuditError.self) {
            try AuditAnchor.load(path: "/nonexistent/anchors.jsonl")
        }

        #expect(error?.code == "anchor_invalid")
    }
}
