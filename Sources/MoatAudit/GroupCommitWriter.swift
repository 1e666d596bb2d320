import Foundation
import MoatCore
import MoatCrypto
import MoatSQLite

/// The one thread that writes the audit database.
///
/// Appends queue up while a commit is in flight. The thread then writes all
/// of them in one transaction, so one fsync covers the whole batch (group
/// commit). It completes each caller only after `COMMIT` returned with
/// `synchronous=FULL`. Between batches it sleeps until the next checkpoint
/// is due, so an idle log still gets a signed checkpoint every interval.
final class GroupCommitWriter: @unchecked Sendable {
    // @unchecked: the queue and flags are only touched while `condition` is locked;
    // `nextCheckpointDue` only on the writer thread and during init.
    typealias Completion = @Sendable (Result<Int64, AuditError>) -> Void

    private struct Pending {
        var entry: AuditEntry
        var completion: Completion
    }

    private let store: AuditStore
    private let options: AuditLogOptions
    private let logger: Logger
    private let condition = NSCondition()
    private var pending: [Pending] = []
    private var checkpointWaiters: [@Sendable (Result<SignedAuditCheckpoint?, AuditError>) -> Void] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    private var nextCheckpointDue: Date

    init(store: AuditStore, options: AuditLogOptions, logger: Logger) {
        self.store = store
        self.options = options
        self.logger = logger
        self.nextCheckpointDue = Date().addingTimeInterval(options.checkpointInterval)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "moat-audit-writer"
        thread.start()
    }

    /// Queues `entry`; `completion` runs on the writer thread once the batch is durable or failed.
    func enqueue(_ entry: AuditEntry, completion: @escaping Completion) {
        condition.lock()
        guard !stopping else {
            condition.unlock()
            completion(.failure(AuditError(code: "audit_write_failed", "the audit log is closed; no record can be written")))
            return
        }
        pending.append(Pending(entry: entry, completion: completion))
        condition.signal()
        condition.unlock()
    }

    /// Asks for a checkpoint now, covering everything appended before the call.
    func requestCheckpoint(completion: @escaping @Sendable (Result<SignedAuditCheckpoint?, AuditError>) -> Void) {
        condition.lock()
        guard !stopping else {
            condition.unlock()
            completion(.failure(AuditError(code: "audit_write_failed", "the audit log is closed")))
            return
        }
        checkpointWaiters.append(completion)
        condition.signal()
        condition.unlock()
    }

    /// Drains the queue, signs a stop checkpoint and ends the thread; waits at most `timeout` seconds.
    func stop(timeout: TimeInterval = 10) {
        condition.lock()
        let alreadyStopping = stopping
        stopping = true
        condition.signal()
        condition.unlock()
        guard !alreadyStopping else { return }
        _ = finished.wait(timeout: .now() + timeout)
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty, checkpointWaiters.isEmpty, !stopping, !checkpointIsDue() {
                if store.signer == nil {
                    condition.wait()
                } else {
                    _ = condition.wait(until: nextCheckpointDue)
                }
            }
            let batch = Array(pending.prefix(options.maxBatchSize))
            pending.removeFirst(batch.count)
            let waiters = checkpointWaiters
            checkpointWaiters.removeAll()
            let finishing = stopping && pending.isEmpty
            condition.unlock()

            let kind: AuditCheckpoint.Kind? = finishing ? .stop : (waiters.isEmpty ? nil : .regular)
            commit(batch, waiters: waiters, forcedCheckpoint: kind)
            if finishing { break }
        }
        finished.signal()
    }

    private func checkpointIsDue() -> Bool {
        store.signer != nil && Date() >= nextCheckpointDue
    }

    private func commit(_ batch: [Pending], waiters: [@Sendable (Result<SignedAuditCheckpoint?, AuditError>) -> Void], forcedCheckpoint: AuditCheckpoint.Kind?) {
        let timeDue = checkpointIsDue()
        do {
            let outcome = try store.write(batch.map(\.entry)) { uncovered in
                if let forcedCheckpoint { return forcedCheckpoint }
                if timeDue || uncovered >= Int64(options.checkpointEveryRecords) { return .regular }
                return nil
            }
            if let checkpoint = outcome.checkpoint {
                nextCheckpointDue = Date().addingTimeInterval(options.checkpointInterval)
                store.writeAnchor(checkpoint)
            }
            for (item, sequence) in zip(batch, outcome.sequences) {
                item.completion(.success(sequence))
            }
            for waiter in waiters {
                waiter(.success(outcome.checkpoint))
            }
        } catch {
            let failure = AuditError(code: "audit_write_failed", "the audit record could not be written: \(error)")
            logger.error("audit batch not written", metadata: [
                "moat.audit.batch_size": "\(batch.count)", "moat.error": "\(error)",
                "moat.request.id": batch.first?.entry.requestID ?? "",
            ])
            if timeDue {
                // Retry the checkpoint after one interval instead of spinning on a failing disk.
                nextCheckpointDue = Date().addingTimeInterval(options.checkpointInterval)
            }
            for item in batch {
                item.completion(.failure(failure))
            }
            for waiter in waiters {
                waiter(.failure(failure))
            }
        }
    }
}
