import CCurl
import Foundation

/// Threads that run blocking libcurl transfers, each keeping one easy handle
/// so that its connections to an upstream stay open between transfers.
///
/// A job that finds no idle thread gets a new one, so a long transfer (a
/// server-sent event stream, a slow upload) never delays another. Threads are
/// kept for reuse and never exit.
final class CurlWorkerPool: @unchecked Sendable {
    // @unchecked: `jobs` and `waiting` are only touched while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable (UnsafeMutableRawPointer) -> Void] = []
    private var waiting = 0
    private var threadCount = 0

    static let shared = CurlWorkerPool()

    /// Runs `job` on a worker thread with a reset easy handle.
    func submit(_ job: @escaping @Sendable (UnsafeMutableRawPointer) -> Void) {
        CurlLibrary.initialize()
        condition.lock()
        jobs.append(job)
        let spawn = jobs.count > waiting
        if spawn {
            threadCount += 1
        }
        let index = threadCount
        condition.signal()
        condition.unlock()
        if spawn {
            let thread = Thread { [unowned self] in self.runJobs() }
            thread.name = "moat-http-upstream-\(index)"
            thread.start()
        }
    }

    private func runJobs() {
        guard let handle = curl_easy_init() else {
            // Only when memory runs out; the queued job waits for another thread.
            return
        }
        while true {
            condition.lock()
            while jobs.isEmpty {
                waiting += 1
                condition.wait()
                waiting -= 1
            }
            let job = jobs.removeFirst()
            condition.unlock()
            // Reset clears the options but keeps the connection cache.
            curl_easy_reset(handle)
            job(handle)
        }
    }
}
