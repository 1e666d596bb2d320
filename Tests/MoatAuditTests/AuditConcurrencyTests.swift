import Foundation
import MoatAudit
import Testing

@Suite("AuditLog concurrency")
struct AuditConcurrencyTests {
    @Test("concurrent appends keep every record and an intact chain")
    func concurrentAppends() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("audit.sqlite")
        let log = try AuditLog(path: path)
        let taskCount = 8
        let appendsPerTask = 50

        let sequences = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<taskCount {
                group.addTask {
                    var numbers: [Int64] = []
                    for index in 0..<appendsPerTask {
                        numbers.append(try log.append(sampleEntry(task * appendsPerTask + index)))
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

        let total = taskCount * appendsPerTask
        #expect(sequences.sorted() == (1...Int64(total)).map { $0 })
        #expect(try log.count() == total)

        let verification = try AuditVerifier.verify(path: path)
        #expect(verification.isIntact)
        #expect(verification.recordCount == total)
    }
}
