import Foundation
import MoatAudit
import MoatCrypto
import MoatJSON
import MoatSQLite
import Testing

@Suite("AuditLog append and read")
struct AuditLogAppendTests {
    @Test("append returns consecutive sequence numbers from 1")
    func appendNumbersFromOne() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"))

        var numbers: [Int64] = []
        for number in 1...3 {
            numbers.append(try log.append(sampleEntry(number)))
        }

        #expect(numbers == [1, 2, 3])
        #expect(try log.count() == 3)
    }

    @Test("numbering continues after reopening the file")
    func numberingSurvivesReopen() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 2)

        let reopened = try AuditLog(path: path)

        #expect(try reopened.append(sampleEntry(3)) == 3)
    }

    @Test("new file is readable by its owner only")
    func fileModeIsPrivate() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 1)

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = try #require(attributes[.posixPermissions] as? Int)

        #expect(mode & 0o777 == 0o600)
    }

    @Test("records pages newest first")
    func recordsPageNewestFirst() throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(at: folder.path("audit.sqlite"), count: 5)

        func sequences(_ records: [JSONValue]) -> [Int64] {
            records.compactMap { $0["seq"]?.int64Value }
        }

        let first = try log.records(limit: 2)
        #expect(sequences(first) == [5, 4])

        let second = try log.records(limit: 2, beforeSequence: 4)
        #expect(sequences(second) == [3, 2])

        let third = try log.records(limit: 2, beforeSequence: 2)
        #expect(sequences(third) == [1])

        let past = try log.records(limit: 2, beforeSequence: 1)
        #expect(past.isEmpty)
    }

    @Test("records limit below 1 returns one record", arguments: [0, -5])
    func recordsLimitClampedUp(limit: Int) throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(at: folder.path("audit.sqlite"), count: 3)

        let records = try log.records(limit: limit)

        #expect(records.compactMap { $0["seq"]?.int64Value } == [3])
    }

    @Test("records carry the entry's fields")
    func recordsCarryFields() throws {
        let folder = try TemporaryFolder()
        let log = try makeLog(at: folder.path("audit.sqlite"), count: 1)

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["request_id"]?.stringValue == "request-1")
        #expect(record["action"]?.stringValue == "chat")
        #expect(record["decision"]?.stringValue == "allow")
        #expect(record["http_status"]?.int64Value == 200)
        #expect(record["object_id"]?.stringValue == "user-1")
        #expect(record["prompt"]?.stringValue == "question number 1")
        #expect(record["response"]?.stringValue == "answer number 1")
        #expect(record["documents"]?.arrayValue?.first?["id"]?.stringValue == "doc-1")
    }

    @Test("records returns a record larger than 1 MiB")
    func recordsReturnLargeRecord() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path)
        var entry = sampleEntry(1)
        entry.response = String(repeating: "long answer ", count: 100_000)
        try log.append(entry)

        let records = try log.records(limit: 1)

        #expect(records.count == 1)
        // Compared as a Bool so that a failure does not print 1.2 MB of text.
        let responseMatches = records.first?["response"]?.stringValue == entry.response
        #expect(responseMatches)
        #expect(try AuditVerifier.verify(path: path).isIntact)
    }

    @Test("records filters by user and action")
    func recordsFilter() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"))
        try log.append(sampleEntry(1))
        try log.append(sampleEntry(2, action: "audit.read"))
        try log.append(sampleEntry(4))

        let byUser = try log.records(limit: 10, userID: "tenant-1:user-1")
        #expect(byUser.compactMap { $0["seq"]?.int64Value } == [3, 1])

        let byAction = try log.records(limit: 10, action: "audit.read")
        #expect(byAction.compactMap { $0["seq"]?.int64Value } == [2])
    }
}

@Suite("AuditLog content policy")
struct AuditContentPolicyTests {
    static let key = Data((0..<32).map { UInt8($0) })

    /// Every byte SQLite has written for `path`: the main file and the write-ahead log.
    static func fileBytes(_ path: String) -> Data {
        var bytes = Data()
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) {
                bytes.append(data)
            }
        }
        return bytes
    }

    @Test("stored policy keeps the prompt and the response")
    func storedKeepsText() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), contentPolicy: .stored)
        try log.append(sampleEntry(1))

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["prompt"]?.stringValue == "question number 1")
        #expect(record["response"]?.stringValue == "answer number 1")
    }

    @Test("hashed policy stores an HMAC and never the text")
    func hashedStoresHMAC() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path, contentPolicy: .hashed, hashKey: Self.key)
        try log.append(sampleEntry(1))

        let record = try #require(try log.records(limit: 1).first)
        let expectedPrompt = "hmac-sha256:" + HMAC.sha256(key: Self.key, message: Data("question number 1".utf8))
            .map { String(format: "%02x", $0) }.joined()
        let expectedResponse = "hmac-sha256:" + HMAC.sha256(key: Self.key, message: Data("answer number 1".utf8))
            .map { String(format: "%02x", $0) }.joined()

        #expect(record["prompt"]?.stringValue == expectedPrompt)
        #expect(record["response"]?.stringValue == expectedResponse)

        let bytes = Self.fileBytes(path)
        #expect(bytes.range(of: Data("question number 1".utf8)) == nil)
        #expect(bytes.range(of: Data("answer number 1".utf8)) == nil)
    }

    @Test("hashed policy maps equal texts to equal values")
    func hashedIsDeterministic() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), contentPolicy: .hashed, hashKey: Self.key)
        try log.append(sampleEntry(1))
        try log.append(sampleEntry(1))
        try log.append(sampleEntry(2))

        let prompts = try log.records(limit: 3).compactMap { $0["prompt"]?.stringValue }

        #expect(prompts.count == 3)
        #expect(prompts[1] == prompts[2])
        #expect(prompts[0] != prompts[1])
    }

    @Test("omitted policy stores neither prompt nor response")
    func omittedStoresNothing() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path, contentPolicy: .omitted)
        try log.append(sampleEntry(1))

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["prompt"] == nil)
        #expect(record["response"] == nil)
        #expect(record["request_id"]?.stringValue == "request-1")

        let bytes = Self.fileBytes(path)
        #expect(bytes.range(of: Data("question number 1".utf8)) == nil)
        #expect(bytes.range(of: Data("answer number 1".utf8)) == nil)
    }

    @Test("hashed policy rejects a key shorter than 32 bytes", arguments: [0, 16, 31])
    func shortKeyRejected(length: Int) throws {
        let folder = try TemporaryFolder()

        let error = #expect(throws: AuditError.self) {
            try AuditLog(path: folder.path("audit.sqlite"), contentPolicy: .hashed, hashKey: Data(count: length))
        }

        #expect(error?.code == "invalid_configuration")
    }

    @Test("hashed policy accepts a 32-byte key")
    func thirtyTwoByteKeyAccepted() throws {
        let folder = try TemporaryFolder()

        let log = try AuditLog(path: folder.path("audit.sqlite"), contentPolicy: .hashed, hashKey: Self.key)

        #expect(try log.append(sampleEntry(1)) == 1)
    }
}

@Suite("AuditLog append-only triggers")
struct AuditTriggerTests {
    @Test("UPDATE through SQL is rejected")
    func updateRejected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 2)
        let database = try SQLiteDatabase(path: path)
        let before = try storedRows(database)

        let error = #expect(throws: SQLiteError.self) {
            try database.run("UPDATE audit_log SET action = 'forged' WHERE seq = 1")
        }

        #expect(error?.reason.contains("append-only") == true)
        #expect(try storedRows(database).map(\.record) == before.map(\.record))
    }

    @Test("DELETE through SQL is rejected")
    func deleteRejected() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 2)
        let database = try SQLiteDatabase(path: path)

        let error = #expect(throws: SQLiteError.self) {
            try database.run("DELETE FROM audit_log WHERE seq = 2")
        }

        #expect(error?.reason.contains("append-only") == true)
        #expect(try storedRows(database).count == 2)
    }
}
