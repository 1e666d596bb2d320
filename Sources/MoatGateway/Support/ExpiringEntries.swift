import Foundation
import MoatCore

/// A map whose entries are each used from when they were stored until
/// ``maxAge`` seconds later, or an earlier expiry given with the entry, with
/// at most ``capacity`` entries.
///
/// Reads drop an expired entry. A store into a full map first drops the
/// expired entries, and all of them when that frees nothing, so memory stays
/// bounded without a timer. An entry stored at a time after the read's `now`
/// (the clock stepped back) counts as expired. A ``maxAge`` of 0 disables the map.
final class ExpiringEntries<Key: Hashable, Value>: Sendable {
    private struct Entry {
        var value: Value
        var storedAt: TimeInterval
        var expiresAt: TimeInterval
    }

    let maxAge: TimeInterval
    let capacity: Int
    private let entries = LockedValue([Key: Entry]())

    init(maxAge: TimeInterval, capacity: Int) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// Returns the value stored for `key` when it has not expired at `now` (Unix seconds).
    func value(for key: Key, now: TimeInterval) -> Value? {
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

    /// Stores `value` for `key` at `now` (Unix seconds), to expire ``maxAge``
    /// seconds later or at `expiresAt` when that comes first.
    func store(_ value: Value, for key: Key, now: TimeInterval, expiresAt: TimeInterval = .infinity) {
        guard maxAge > 0 else { return }
        let entry = Entry(value: value, storedAt: now, expiresAt: min(now + maxAge, expiresAt))
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { isFresh($0.value, now: now) }
                if entries.count >= capacity {
                    entries.removeAll()
                }
            }
            entries[key] = entry
        }
    }

    private func isFresh(_ entry: Entry, now: TimeInterval) -> Bool {
        entry.storedAt <= now && now < entry.expiresAt
    }
}
