import Dispatch
import MoatCore

/// Bridges a blocking thread (an ``HTTPBlockingResponder`` on its own thread) to async code.
public enum BlockingWait {
    /// Runs `operation` on a task that prefers the HTTP layer's handler threads
    /// and blocks the calling thread until it returns.
    ///
    /// The task does not start on Swift's global pool: that pool has one
    /// thread per core, and any code in the process that blocks its threads
    /// would otherwise keep this caller waiting indefinitely. Never call this
    /// from a task or from a handler thread, since it blocks the thread.
    public static func run<Value: Sendable>(_ operation: @escaping @Sendable () async -> Value) -> Value {
        let result = LockedValue<Value?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: HandlerExecutor.shared) {
            let value = await operation()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        // The task stored the value before signalling.
        return result.withLock { $0 }!
    }
}
