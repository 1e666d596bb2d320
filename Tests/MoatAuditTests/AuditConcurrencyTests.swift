import Foundation
import MoatAudit
import MoatCrypto
import Testing

@Suite("AuditLog group commit")
struct AuditConcurrencyTests {
    @Test("concurrent appends keep every record and an intact chain")
    func concurrentAppends() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let key = try PrivateKey.generateEd25519()
        let log = try AuditLog(path: path, options: storedOptions(every: 37), signingKey: key)
        let taskCount = 32
        let appendsPerTask = 25

        let sequences = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<taskCount {
                group.addTask {
                    var numbers: [Int64] = []
                    for index in 0..<appendsPerTask {
                        numbers.append(try await log.append(sampleEntry(task * appendsPerTask + index)))
                    }
                    return numbers
                }
            }
            var all: [Int64] = []
            for try await numbers in group {
                all += numbers
            }
            return all
        }
        log.close()

        let total = taskCount * appendsPerTask
        #expect(sequences.sorted() == (1...Int64(total)).map { $0 })
        let verification = try AuditVerifier.verify(path: path, options: AuditVerifyOptions(trustedKeys: [key.publicKey]))
        #expect(verification.problems == [])
        #expect(verification.recordCount == total)
        #expect(verification.uncoveredRecordCount == 0)
    }

    @Test("blocking appends from threads are all durable")
    func blockingAppendsFromThreads() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path, options: storedOptions())
        let failures = LockedCounter()

        DispatchQueue.concurrentPerform(iterations: 200) { index in
            do {
                try log.append(sampleEntry(index))
            } catch {
                failures.increment()
            }
        }

        #expect(failures.value == 0)
        #expect(try log.count() == 200)
        #expect(try AuditVerifier.verify(path: path).isIntact)
    }

    @Test("append after close fails with audit_write_failed")
    func appendAfterClose() throws {
        let folder = try TemporaryFolder()
        let log = try AuditLog(path: folder.path("audit.sqlite"), options: storedOptions())
        log.close()

        let error = #expect(throws: AuditError.self) {
            try log.append(sampleEntry(1))
        }

        #expect(error?.code == "audit_write_failed")
    }
}

/// A thread-safe counter for tests.
final class LockedCounter: @unchecked Sendable {
    // @unchecked: `count` is only touched while `lock` is held.
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.withLock { count += 1 }
    }

    var value: Int { lock.withLock { count } }
}
