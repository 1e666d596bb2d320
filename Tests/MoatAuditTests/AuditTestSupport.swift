import Foundation
import MoatAudit
import MoatCrypto
import MoatJSON
import MoatSQLite

/// A fresh folder under the system temporary directory, removed when the value is released.
final class TemporaryFolder: @unchecked Sendable {
    // @unchecked: `url` is immutable after init.
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("moat-audit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }
}

/// A fixed 32-byte content key, so keyed hashes are reproducible in tests.
let testContentKey = Data((0..<32).map { UInt8($0) })

/// Options that store texts as given and sign a checkpoint every `every` records;
/// the time-based interval is an hour so that it never fires during a test unless asked.
func storedOptions(every: Int = 1000, interval: TimeInterval = 3600) -> AuditLogOptions {
    AuditLogOptions(
        contentPolicies: ContentPolicies(prompt: .stored, answer: .stored), contentKey: testContentKey,
        checkpointEveryRecords: every, checkpointInterval: interval
    )
}

/// Returns an allowed chat request whose request ID, user and texts derive from `number`.
func sampleEntry(_ number: Int, action: String = "chat", decision: AuditEntry.Decision = .allow) -> AuditEntry {
    AuditEntry(
        requestID: "request-\(number)",
        time: Date(timeIntervalSince1970: 1_800_000_000 + Double(number)),
        action: action,
        decision: decision,
        reason: decision == .allow ? "ok" : "missing_role",
        httpStatus: decision == .allow ? 200 : 403,
        tenantID: "tenant-1",
        objectID: "user-\(number % 3)",
        userName: "user\(number % 3)@example.test",
        clientAppID: "web-app",
        roles: ["Chat.User"],
        prompt: "question number \(number)",
        answer: "answer number \(number)",
        documents: [.init(documentID: "doc-\(number)", classification: "internal")],
        accessFilter: .init(userID: "tenant-1:user-\(number % 3)", groups: ["group-a"], clearance: "confidential"),
        model: "extractive",
        verdicts: [["stage": "output", "rule_id": "pii.email", "action": "redact", "score": 1, "reason": "pii.email: e-mail address"]],
        latencyMilliseconds: number
    )
}

/// Creates a log at `path`, appends `count` records numbered from 1, and closes it
/// (signing a stop checkpoint when `signingKey` is given).
func makeLog(at path: String, count: Int, signingKey: PrivateKey? = nil, options: AuditLogOptions = storedOptions()) throws {
    let log = try AuditLog(path: path, options: options, signingKey: signingKey)
    for number in 0..<count {
        try log.append(sampleEntry(number + 1))
    }
    log.close()
}

/// Opens the raw file as an attacker with write access would, dropping the
/// append-only triggers so that UPDATE and DELETE go through.
func openWithoutTriggers(_ path: String) throws -> SQLiteDatabase {
    let database = try SQLiteDatabase(path: path)
    for name in ["audit_log_no_update", "audit_log_no_delete", "audit_log_delete_truncated_only", "audit_checkpoints_no_update", "audit_checkpoints_no_delete"] {
        try database.execute("DROP TRIGGER IF EXISTS \(name)")
    }
    return database
}

/// One stored row as the verifier reads it.
struct StoredRow {
    var sequence: Int64
    var record: String
    var previousHash: String
    var hash: String
}

func storedRows(_ database: SQLiteDatabase) throws -> [StoredRow] {
    try database.query("SELECT seq, record, prev_hash, hash FROM audit_log ORDER BY seq").map { row in
        StoredRow(
            sequence: row.int64("seq") ?? -1,
            record: row.string("record") ?? "",
            previousHash: row.string("prev_hash") ?? "",
            hash: row.string("hash") ?? ""
        )
    }
}

/// Computes the documented chain step independently of `AuditLog`:
/// lower-case hex of SHA-256(previous hash, LF, canonical record).
func chainHash(previous: String, record: Data) -> String {
    var input = Data(previous.utf8)
    input.append(0x0A)
    input.append(record)
    return Digest.sha256(input).map { String(format: "%02x", $0) }.joined()
}

/// Recomputes `prev_hash` and `hash` of every row from `sequence` on, as any
/// attacker can, because the chain formula uses no key.
func rechain(_ database: SQLiteDatabase, from sequence: Int64) throws {
    var previous = AuditLog.genesisHash
    for row in try storedRows(database) {
        if row.sequence >= sequence {
            let hash = chainHash(previous: previous, record: Data(row.record.utf8))
            try database.run(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                [.text(previous), .text(hash), .integer(row.sequence)]
            )
            previous = hash
        } else {
            previous = row.hash
        }
    }
}

/// One stored checkpoint row.
struct StoredCheckpoint {
    var number: Int64
    var body: String
    var signature: String
    var json: JSONValue
}

func storedCheckpoints(_ database: SQLiteDatabase) throws -> [StoredCheckpoint] {
    try database.query("SELECT number, body, signature FROM audit_checkpoints ORDER BY number").map { row in
        let body = row.string("body") ?? ""
        return StoredCheckpoint(
            number: row.int64("number") ?? -1, body: body, signature: row.string("signature") ?? "",
            json: (try? JSONValue.parse(Data(body.utf8))) ?? .null
        )
    }
}

/// Lower-case hex of `bytes`, computed independently of the module under test.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// `SHA-256(body ‖ LF ‖ signature)`: the documented checkpoint hash.
func checkpointHash(body: String, signature: String) -> String {
    hex(Digest.sha256(Data((body + "\n" + signature).utf8)))
}
