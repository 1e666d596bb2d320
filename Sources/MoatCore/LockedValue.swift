import Foundation

/// A value guarded by a lock, for small shared state that synchronous code
/// (C callbacks, for example) must reach without `await`.
public final class LockedValue<Value>: @unchecked Sendable {
    // @unchecked: `value` is only read or written inside `lock`.
    // @usableFromInline lets callers in other modules inline `withLock`, which
    // specializes it for their types instead of looking up generic metadata per call.
    @usableFromInline let lock = NSLock()
    @usableFromInline var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    @inlinable
    public var current: Value {
        withLock { $0 }
    }
}
