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
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions())

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

        let reopened = try AuditLog(path: path, options: storedOptions())

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

    @Test("database runs in WAL mode with synchronous FULL")
    func walAndFullSync() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path, options: storedOptions())
        try log.append(sampleEntry(1))

        let database = try SQLiteDatabase(path: path, readOnly: true)
        let mode = try database.query("PRAGMA journal_mode").first?.values.first

        #expect(mode == .text("wal"))
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("records pages newest first")
    func recordsPageNewestFirst() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 5)
        let log = try AuditLog(path: path, options: storedOptions())

        func sequences(_ records: [JSONValue]) -> [Int64] {
            records.compactMap { $0["seq"]?.int64Value }
        }

        #expect(sequences(try log.records(limit: 2)) == [5, 4])
        #expect(sequences(try log.records(matching: AuditQuery(beforeSequence: 4), limit: 2)) == [3, 2])
        #expect(sequences(try log.records(matching: AuditQuery(beforeSequence: 2), limit: 2)) == [1])
        #expect(try log.records(matching: AuditQuery(beforeSequence: 1), limit: 2).isEmpty)
    }

    @Test("records limit below 1 returns one record", arguments: [0, -5])
    func recordsLimitClampedUp(limit: Int) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 3)

        let records = try AuditReader(path: path).records(matching: AuditQuery(), limit: limit)

        #expect(records.map(\.sequence) == [3])
    }

    @Test("record carries every field of the entry")
    func recordCarriesFields() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions())
        try log.append(sampleEntry(1))

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["v"]?.int64Value == 2)
        #expect(record["request_id"]?.stringValue == "request-1")
        #expect(record["hop"]?.stringValue == "api")
        #expect(record["action"]?.stringValue == "chat")
        #expect(record["decision"]?.stringValue == "allow")
        #expect(record["reason"]?.stringValue == "ok")
        #expect(record["http_status"]?.int64Value == 200)
        #expect(record["tenant_id"]?.stringValue == "tenant-1")
        #expect(record["object_id"]?.stringValue == "user-1")
        #expect(record["user_name"]?.stringValue == "user1@example.test")
        #expect(record["client_app_id"]?.stringValue == "web-app")
        #expect(record["roles"] == ["Chat.User"])
        #expect(record["prompt"]?["text"]?.stringValue == "question number 1")
        #expect(record["answer"]?["text"]?.stringValue == "answer number 1")
        #expect(record["documents"]?.arrayValue?.first?["id"]?.stringValue == "doc-1")
        #expect(record["documents"]?.arrayValue?.first?["classification"]?.stringValue == "internal")
        #expect(record["access_filter"]?["user_id"]?.stringValue == "tenant-1:user-1")
        #expect(record["access_filter"]?["groups"] == ["group-a"])
        #expect(record["access_filter"]?["clearance"]?.stringValue == "confidential")
        #expect(record["model"]?.stringValue == "extractive")
        #expect(record["verdicts"]?.arrayValue?.first?["rule_id"]?.stringValue == "pii.email")
        #expect(record["tokens"]?["prompt"] == .null)
        #expect(record["tokens"]?["completion"] == .null)
        #expect(record["latency_ms"]?.int64Value == 1)
        #expect(record["time"]?.stringValue == "2027-01-15T08:00:01.000Z")
    }

    @Test("token counts and verdicts are recorded when given")
    func tokenCountsAndVerdicts() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions())
        var entry = sampleEntry(1)
        entry.tokens = .init(prompt: 120, completion: 45)
        entry.verdicts = [["guard": "pii", "action": "redact", "entities": 2]]
        try log.append(entry)

        let record = try #require(try log.records(limit: 1).first)

        #expect(record["tokens"]?["prompt"]?.int64Value == 120)
        #expect(record["tokens"]?["completion"]?.int64Value == 45)
        #expect(record["verdicts"]?.arrayValue?.first?["guard"]?.stringValue == "pii")
        #expect(record["verdicts"]?.arrayValue?.first?["entities"]?.int64Value == 2)
    }

    @Test("records returns a record larger than 1 MiB")
    func recordsReturnLargeRecord() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path, options: storedOptions())
        var entry = sampleEntry(1)
        entry.answer = String(repeating: "long answer ", count: 100_000)
        try log.append(entry)

        let records = try log.records(limit: 1)

        #expect(records.count == 1)
        // Compared as a Bool so that a failure does not print 1.2 MB of text.
        let answerMatches = records.first?["answer"]?["text"]?.stringValue == entry.answer
        #expect(answerMatches)
        #expect(try AuditVerifier.verify(path: path).isIntact)
    }

    @Test("records filter by user, action, decision and time")
    func recordsFilter() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions())
        try log.append(sampleEntry(1))
        try log.append(sampleEntry(2, action: "audit.read"))
        try log.append(sampleEntry(4, decision: .deny))
        try log.append(sampleEntry(5))

        func sequences(_ query: AuditQuery) throws -> [Int64] {
            try log.records(matching: query, limit: 10).compactMap { $0["seq"]?.int64Value }
        }

        #expect(try sequences(AuditQuery(user: "tenant-1:user-1")) == [3, 1])
        #expect(try sequences(AuditQuery(user: "user-1")) == [3, 1])
        #expect(try sequences(AuditQuery(user: "user1@example.test")) == [3, 1])
        #expect(try sequences(AuditQuery(user: "user1")) == [3, 1])
        #expect(try sequences(AuditQuery(user: "user")) == [])
        #expect(try sequences(AuditQuery(action: "audit.read")) == [2])
        #expect(try sequences(AuditQuery(decision: .deny)) == [3])
        #expect(try sequences(AuditQuery(since: Date(timeIntervalSince1970: 1_800_000_004))) == [4, 3])
        #expect(try sequences(AuditQuery(until: Date(timeIntervalSince1970: 1_800_000_002))) == [2, 1])
        #expect(try sequences(AuditQuery(user: "user-1", decision: .allow)) == [1])
    }

    @Test("filter times parse dates and times with zones", arguments: [
        ("2027-01-15", 1_800_000_000.0 - 28_800),
        ("2027-01-15T08:00:00Z", 1_800_000_000.0),
        ("2027-01-15T08:00:00.500Z", 1_800_000_000.5),
        ("2027-01-15T09:00:00+01:00", 1_800_000_000.0),
    ])
    func filterTimesParse(text: String, expected: Double) {
        #expect(AuditQuery.parseTime(text)?.timeIntervalSince1970 == expected)
    }

    @Test("filter time rejects other text", arguments: ["yesterday", "2027-13-01", "", "1800000000"])
    func filterTimeRejected(text: String) {
        #expect(AuditQuery.parseTime(text) == nil)
    }

    @Test("forEachRecord streams every record oldest first across pages")
    func forEachRecordStreams() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 1203)

        var sequences: [Int64] = []
        try AuditReader(path: path).forEachRecord(matching: AuditQuery()) { sequences.append($0.sequence) }

        #expect(sequences == Array(1...1203))
    }
}

@Suite("AuditLog append-only triggers")
struct AuditTriggerTests {
    @Test("UPDATE of a record is rejected")
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

    @Test("DELETE of a record no truncation released is rejected")
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

    @Test("UPDATE and DELETE of a checkpoint are rejected", arguments: [
        "UPDATE audit_checkpoints SET signature = '00' WHERE number = 1",
        "DELETE FROM audit_checkpoints WHERE number = 1",
    ])
    func checkpointChangeRejected(statement: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        try makeLog(at: path, count: 2, signingKey: try PrivateKey.generateEd25519())
        let database = try SQLiteDatabase(path: path)
        let before = try storedCheckpoints(database).map(\.signature)

        let error = #expect(throws: SQLiteError.self) {
            try database.run(statement)
        }

        #expect(error?.reason.contains("append-only") == true)
        #expect(try storedCheckpoints(database).map(\.signature) == before)
    }
}
