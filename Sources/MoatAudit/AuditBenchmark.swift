import Foundation
import MoatCrypto
import MoatSQLite

/// Measures durable appends per second with group commit and verify throughput,
/// on a fresh log in `folder`. Used by `moat audit bench` and `bench/audit/run.sh`.
public enum AuditBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public var writers: Int
        public var records: Int
        public var appendSeconds: Double
        public var verifySeconds: Double
        /// Bytes of canonical record text hashed by the verifier.
        public var recordBytes: Int64
        /// Size of the database file after a WAL checkpoint.
        public var fileBytes: Int64
        public var checkpoints: Int

        public var appendsPerSecond: Double { Double(records) / appendSeconds }
        public var verifyMegabytesPerSecond: Double { Double(recordBytes) / 1_000_000 / verifySeconds }
        public var verifyRecordsPerSecond: Double { Double(records) / verifySeconds }

        public var description: String {
            String(
                format: "appends: %d records from %d writers in %.2f s = %.0f durable appends/s; "
                    + "verify: %.1f MB of records (%.1f MB file, %d checkpoints) in %.2f s = %.0f MB/s, %.0f records/s",
                records, writers, appendSeconds, appendsPerSecond, Double(recordBytes) / 1_000_000, Double(fileBytes) / 1_000_000,
                checkpoints, verifySeconds, verifyMegabytesPerSecond, verifyRecordsPerSecond
            )
        }
    }

    /// Appends `records` records from `writers` threads, each append blocking until durable,
    /// then verifies the whole log against its checkpoints.
    ///
    /// Each record is a chat request of about 1 KB of canonical JSON (a 200-byte question and
    /// a 600-byte answer stored as text), with a checkpoint every 1000 records.
    public static func run(folder: URL, writers: Int, records: Int) throws -> Result {
        let path = folder.appendingPathComponent("bench-audit.sqlite").path
        let key = try PrivateKey.generateEd25519()
        let options = AuditLogOptions(contentPolicies: ContentPolicies(prompt: .stored, answer: .stored), checkpointEveryRecords: 1000)
        let log = try AuditLog(path: path, options: options, signingKey: key)
        let question = String(repeating: "How many days of annual leave do I get? ", count: 5)
        let answer = String(repeating: "Staff get 25 days of annual leave per year [1]. ", count: 12)

        let group = DispatchGroup()
        let failures = FailureCount()
        let started = Date()
        for writer in 0..<writers {
            let share = records / writers + (writer < records % writers ? 1 : 0)
            group.enter()
            let thread = Thread {
                for index in 0..<share {
                    let entry = AuditEntry(
                        requestID: "bench-\(writer)-\(index)", time: Date(), action: "chat", decision: .allow, reason: "ok",
                        httpStatus: 200, tenantID: "1921488a-9834-4920-864a-44dfc001e2df", objectID: "2afeed91-10d6-4063-932f-71f5c7146f3f",
                        userName: "alice@fabrikam.example", clientAppID: "6f3c1a4e-0000-4000-8000-000000000001", roles: ["Reader"],
                        prompt: question, answer: answer,
                        documents: [.init(documentID: "doc-\(index % 40)", classification: "internal")],
                        accessFilter: .init(userID: "t:o", groups: ["31d35284-3f47-4bf2-809b-10430a62c6df"], clearance: "confidential"),
                        model: "extractive", latencyMilliseconds: 12
                    )
                    do {
                        try log.append(entry)
                    } catch {
                        failures.add()
                    }
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        let appendSeconds = Date().timeIntervalSince(started)
        log.close()
        guard failures.value == 0 else {
            throw AuditError(code: "audit_write_failed", "\(failures.value) of \(records) benchmark appends failed")
        }

        let database = try SQLiteDatabase(path: path)
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let recordBytes = try database.query("SELECT sum(length(CAST(record AS BLOB))) AS n FROM audit_log").first?.int64("n") ?? 0
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0

        let verifyStarted = Date()
        let verification = try AuditVerifier.verify(path: path, options: AuditVerifyOptions(trustedKeys: [key.publicKey]))
        let verifySeconds = Date().timeIntervalSince(verifyStarted)
        guard verification.isIntact, verification.recordCount == records else {
            throw AuditError(code: "audit_log_unreadable", "the benchmark log did not verify: \(verification.problems)")
        }
        return Result(
            writers: writers, records: records, appendSeconds: appendSeconds, verifySeconds: verifySeconds,
            recordBytes: recordBytes, fileBytes: fileBytes, checkpoints: verification.checkpointCount
        )
    }
}

private final class FailureCount: @unchecked Sendable {
    // @unchecked: `count` is only touched while `lock` is held.
    private let lock = NSLock()
    private var count = 0

    func add() {
        lock.withLock { count += 1 }
    }

    var value: Int { lock.withLock { count } }
}
