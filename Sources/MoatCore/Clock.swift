import Foundation

/// The source of "now" for everything that expires: tokens, sessions, caches,
/// authorization codes. Production code uses ``SystemClock``; tests inject a
/// ``ManualClock`` and move time explicitly.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// Reads the system's wall-clock time.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when a test tells it to.
public final class ManualClock: WallClock, @unchecked Sendable {
    // @unchecked: `current` is only touched while `lock` is held.
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = start
    }

    public func now() -> Date {
        lock.withLock { current }
    }

    /// Moves the clock forward (or backward, for a negative interval).
    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    public func set(_ date: Date) {
        lock.withLock { current = date }
    }
}
