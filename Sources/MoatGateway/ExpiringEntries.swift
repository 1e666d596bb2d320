import Foundation
import MoatCore

/// A map from a 32-byte digest to a value, each entry used for at most
/// ``maxAge`` seconds after it was stored, with at most ``capacity`` entries.
///
/// Reads drop an expired entry. A store into a full map first drops the
/// expired entries, and all of them when that frees nothing, so memory stays
/// bounded without a timer. A ``maxAge`` of 0 disables the map.
final class ExpiringEntries<Value>: Sendable {
    private struct Entry {
        var value: Value
        var storedAt: TimeInterval
    }

    let maxAge: TimeInterval
    let capacity: Int
    private let entries = LockedValue([Data: Entry]())

    init(maxAge: TimeInterval, capacity: Int) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// Returns the value stored for `key` less than ``maxAge`` seconds before `now` (Unix seconds).
    func value(for key: Data, now: TimeInterval) -> Value? {
        guard maxAge > 0 else { return nil }
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard isFresh(entry, now: now) else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// Stores `value` for `key` at `now` (Unix seconds).
    func store(_ value: Value, for key: Data, now: TimeInterval) {
        guard maxAge > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { isFresh($0.value, now: now) }
                if entries.count >= capacity {
                    entries.removeAll()
                }
            }
            entries[key] = Entry(value: value, storedAt: now)
        }
    }

    private func isFresh(_ entry: Entry, now: TimeInterval) -> Bool {
        let age = now - entry.storedAt
        return age >= 0 && age < maxAge
    }
}
