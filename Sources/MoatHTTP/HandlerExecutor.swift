import Foundation

/// Runs request handlers on threads that belong to the HTTP layer instead of
/// Swift's global concurrency pool.
///
/// The global pool has one thread per core. Code elsewhere in the process
/// that blocks one of them (a synchronous SQLite query, a child process, a
/// CPU-bound loop) would otherwise delay every request, and on a two-core
/// machine two such callers stall the server completely. Handler tasks prefer
/// this executor (SE-0417), so they keep running while the global pool is busy.
///
/// The pool starts with a few threads and adds one whenever a job arrives
/// while every thread is busy, up to ``maximumThreads``: a handler that blocks
/// its thread (waiting on a semaphore or a slow synchronous call) then delays
/// only itself, not every other server in the process. Threads live as long
/// as the process and are shared by every server.
final class HandlerExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs`, `head`, `threadCount` and `idleCount` (threads not
    // running a job) are only touched while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var threadCount = 0
    private var idleCount = 0
    private let maximumThreads: Int

    /// Two threads per core to start with (at least four), growing to 256.
    static let shared = HandlerExecutor(
        initialThreads: max(4, ProcessInfo.processInfo.activeProcessorCount * 2), maximumThreads: 256
    )

    private init(initialThreads: Int, maximumThreads: Int) {
        self.maximumThreads = maximumThreads
        condition.lock()
        for _ in 0..<initialThreads {
            startThread()
        }
        condition.unlock()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        if idleCount < jobs.count - head, threadCount < maximumThreads {
            startThread()
        }
        condition.signal()
        condition.unlock()
    }

    /// Starts one more worker; call with `condition` locked.
    private func startThread() {
        let index = threadCount
        threadCount += 1
        // Counted idle from the start, so a burst of jobs does not start a thread each.
        idleCount += 1
        let thread = Thread { [unowned self] in
            self.runJobs()
        }
        thread.name = "moat-http-handler-\(index)"
        thread.start()
    }

    private func runJobs() {
        condition.lock()
        while true {
            while head == jobs.count {
                condition.wait()
            }
            idleCount -= 1
            let job = jobs[head]
            head += 1
            if head > 1024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
            condition.lock()
            idleCount += 1
        }
    }
}
