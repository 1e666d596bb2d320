import Foundation

/// Runs request handlers on threads that belong to the HTTP layer instead of
/// Swift's global concurrency pool.
///
/// The global pool has one thread per core. Code elsewhere in the process
/// that blocks one of them (a synchronous SQLite query, a child process, a
/// CPU-bound loop) would otherwise delay every request, and on a two-core
/// machine two such callers stall the server completely. Handler tasks prefer
/// this executor (SE-0417), so they keep running while the global pool is busy.
/// The threads live as long as the process and are shared by every server.
final class HandlerExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is only touched while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    /// Eight threads at least, or two per core on larger machines.
    static let shared = HandlerExecutor(threadCount: max(8, ProcessInfo.processInfo.activeProcessorCount * 2))

    private init(threadCount: Int) {
        for index in 0..<threadCount {
            let thread = Thread { [unowned self] in
                self.runJobs()
            }
            thread.name = "moat-http-handler-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while head == jobs.count {
                condition.wait()
            }
            let job = jobs[head]
            head += 1
            if head > 1024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
