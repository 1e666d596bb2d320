import Foundation
import MoatAudit
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
