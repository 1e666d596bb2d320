import Foundation

/// Polls `value` every 100 ms until it stays the same for half a second, or 20 seconds pass; returns the last value.
public func settledValue(_ value: () -> Int) async -> Int {
    var last = value()
    var stableRounds = 0
    for _ in 0..<200 where stableRounds < 5 {
        try? await Task.sleep(for: .milliseconds(100))
        let current = value()
        stableRounds = current == last ? stableRounds + 1 : 0
        last = current
    }
    return last
}

/// Polls `condition` every 50 ms for up to 20 seconds; returns whether it became true.
public func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<400 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}
