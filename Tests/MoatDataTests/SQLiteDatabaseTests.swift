import Foundation
import MoatSQLite
import Testing

@Suite("SQLite wrapper")
struct SQLiteDatabaseTests {
    @Test("file that is not a database is rejected with SQLITE_NOTADB")
    func corruptFileIsRejected() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }), to: "garbage.sqlite")
        let error = try #require(throws: SQLiteError.self) {
            _ = try SQLiteDatabase(path: file.path)
        }
        #expect(error.isNotADatabase)
        #expect(error.reason.contains("not a database"))
    }

    @Test("new database file has mode 0600")
    func newFileIsPrivate() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("private.sqlite")
        let database = try SQLiteDatabase(path: path)
        try database.execute("CREATE TABLE t (x INTEGER)")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let permissions = try #require(attributes[.posixPermissions] as? Int)
        #expect(permissions == 0o600)
    }

    @Test("transaction rolls back when its body throws")
    func transactionRollsBack() throws {
        struct Abort: Error {}
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: Abort.self) {
            try database.transaction {
                try database.run("INSERT INTO t (x) VALUES (?)", [.integer(1)])
                throw Abort()
            }
        }
        let count = try database.query("SELECT count(*) AS n FROM t").first?.int64("n")
        #expect(count == 0)
    }

    @Test("nested transaction failure undoes only the inner changes")
    func nestedTransactionUsesSavepoint() throws {
        struct Abort: Error {}
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (x INTEGER)")
        try database.transaction {
            try database.run("INSERT INTO t (x) VALUES (1)")
            try? database.transaction {
                try database.run("INSERT INTO t (x) VALUES (2)")
                throw Abort()
            }
        }
        let values = try database.query("SELECT x FROM t ORDER BY x").compactMap { $0.int64("x") }
        #expect(values == [1])
    }

    @Test("bound text is stored literally, never parsed as SQL")
    func parametersAreBound() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (name TEXT)")
        let hostile = "x'); DROP TABLE t; --\u{0}tail"
        try database.run("INSERT INTO t (name) VALUES (?)", [.text(hostile)])
        let rows = try database.query("SELECT name FROM t WHERE name = ?", [.text(hostile)])
        #expect(rows.count == 1)
        #expect(rows.first?.string("name") == hostile)
    }

    @Test("every storage class round-trips", arguments: [
        SQLiteValue.null, .integer(Int64.min), .real(2.5), .text(""), .text("héllo"), .blob(Data()), .blob(Data([0, 1, 255])),
    ])
    func valuesRoundTrip(value: SQLiteValue) throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let row = try #require(try database.query("SELECT ? AS v", [value]).first)
        #expect(row["v"] == value)
    }

    @Test("wrong parameter count is rejected")
    func parameterCountIsChecked() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let error = try #require(throws: SQLiteError.self) {
            _ = try database.query("SELECT ? + ?", [.integer(1)])
        }
        #expect(error.reason.contains("expects 2 parameters"))
    }

    @Test("run rejects a second statement")
    func runRejectsScripts() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: SQLiteError.self) {
            try database.run("INSERT INTO t VALUES (1); DROP TABLE t")
        }
        let tables = try database.query("SELECT name FROM sqlite_master WHERE name = 't'")
        #expect(tables.count == 1)
    }

    @Test("constraint violation reports its extended code")
    func constraintErrorIsReported() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (x INTEGER UNIQUE)")
        try database.run("INSERT INTO t VALUES (1)")
        let error = try #require(throws: SQLiteError.self) {
            try database.run("INSERT INTO t VALUES (1)")
        }
        #expect(error.isConstraintViolation)
        #expect(error.extendedCode == 2067) // SQLITE_CONSTRAINT_UNIQUE
    }

    @Test("integrity check of a sound database returns ok")
    func integrityCheckIsOK() throws {
        let folder = try TemporaryFolder()
        let database = try SQLiteDatabase(path: folder.path("sound.sqlite"), synchronous: .full)
        try database.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)")
        #expect(try database.integrityCheck() == ["ok"])
        #expect(database.lastInsertRowID == 1)
        #expect(database.changes == 1)
    }

    @Test("read-only connection rejects writes")
    func readOnlyRejectsWrites() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ro.sqlite")
        try SQLiteDatabase(path: path).execute("CREATE TABLE t (x INTEGER)")
        let readOnly = try SQLiteDatabase(path: path, readOnly: true)
        let error = try #require(throws: SQLiteError.self) {
            try readOnly.run("INSERT INTO t VALUES (1)")
        }
        #expect(error.code == 8) // SQLITE_READONLY
    }

    @Test("concurrent writers from many threads all succeed")
    func concurrentUseIsSerialised() async throws {
        let folder = try TemporaryFolder()
        let database = try SQLiteDatabase(path: folder.path("threads.sqlite"))
        try database.execute("CREATE TABLE t (x INTEGER)")
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<50 {
                        try? database.transaction {
                            try database.run("INSERT INTO t VALUES (?)", [.integer(Int64(worker * 1000 + index))])
                        }
                    }
                }
            }
        }
        #expect(try database.query("SELECT count(*) AS n FROM t").first?.int64("n") == 400)
    }
}
