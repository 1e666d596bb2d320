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

/// Returns an allowed chat request whose request ID, user and texts derive from `number`.
func sampleEntry(_ number: Int, action: String = "chat") -> AuditEntry {
    AuditEntry(
        requestID: "request-\(number)",
        time: Date(timeIntervalSince1970: 1_800_000_000 + Double(number)),
        action: action,
        decision: .allow,
        reason: "ok",
        httpStatus: 200,
        tenantID: "tenant-1",
        objectID: "user-\(number % 3)",
        userName: "user\(number % 3)@example.test",
        clientAppID: "web-app",
        roles: ["Chat.User"],
        prompt: "question number \(number)",
        response: "answer number \(number)",
        documents: [.init(documentID: "doc-\(number)", classification: "internal")],
        model: "extractive",
        latencyMilliseconds: number
    )
}

/// Creates a log at `path` and appends `count` records, numbered from 1.
@discardableResult
func makeLog(at path: String, count: Int) throws -> AuditLog {
    let log = try AuditLog(path: path)
    for number in 1...count {
        try log.append(sampleEntry(number))
    }
    return log
}

/// Opens the raw file as an attacker with write access would, dropping the
/// append-only triggers so that UPDATE and DELETE go through.
func openWithoutTriggers(_ path: String) throws -> SQLiteDatabase {
    let database = try SQLiteDatabase(path: path)
    try database.execute("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete")
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
