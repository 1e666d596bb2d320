import Foundation

/// Limits log entries for an event that can repeat without bound, such as a
/// rejected bearer token, to a few lines per reason code and interval.
///
/// The first event of a code is logged in full at warning level and opens an
/// interval for that code. Further events of the code inside the interval are
/// only counted. Once the interval has ended, the next call to
/// ``record(code:message:metadata:logger:)`` (for any code) or ``flush(logger:)``
/// writes one summary per code with the number of events left out, and the
/// next event of that code is logged in full again. A flood of bad tokens
/// therefore costs at most two log lines per code and interval.
///
/// NOTE: a summary is written only when another event arrives or a caller
/// runs ``flush(logger:)``; nothing runs on a timer.
public final class RepeatedLogLimiter: Sendable {
    /// Length of one counting interval in seconds. Default 60.
    public let interval: TimeInterval
    private let clock: any WallClock
    private let windows = LockedValue<[String: Window]>([:])

    private struct Window {
        var start: Date
        /// The message of the entry that opened the window, repeated in the summary.
        var message: String
        var suppressed: Int
    }

    /// - Parameters:
    ///   - interval: seconds during which repeats of a code are counted, not
    ///     logged. Values below 1 are raised to 1.
    ///   - clock: source of the time. Tests pass a ``ManualClock``.
    public init(interval: TimeInterval = 60, clock: any WallClock = SystemClock()) {
        self.interval = max(interval, 1)
        self.clock = clock
    }

    /// Logs an event of `code` at warning level, or counts it when the code
    /// was already logged in the current interval.
    ///
    /// `code` must come from a closed set (an error code), because the limiter
    /// keeps one counter per distinct value.
    public func record(code: String, message: String, metadata: Logger.Metadata, logger: Logger) {
        let now = clock.now()
        let (summaries, isFirst) = windows.withLock { windows in
            let summaries = Self.closeEnded(&windows, now: now, interval: interval)
            if windows[code] != nil {
                windows[code]?.suppressed += 1
                return (summaries, false)
            }
            windows[code] = Window(start: now, message: message, suppressed: 0)
            return (summaries, true)
        }
        write(summaries, logger: logger)
        if isFirst {
            var entry = metadata
            entry["moat.log.code"] = code
            logger.warning(message, metadata: entry)
        }
    }

    /// Writes the summaries of intervals that have ended, for example before shutdown.
    public func flush(logger: Logger) {
        let now = clock.now()
        let summaries = windows.withLock { Self.closeEnded(&$0, now: now, interval: interval) }
        write(summaries, logger: logger)
    }

    /// Removes every window whose interval has ended and returns those that counted repeats.
    private static func closeEnded(
        _ windows: inout [String: Window], now: Date, interval: TimeInterval
    ) -> [(code: String, window: Window)] {
        var ended: [(code: String, window: Window)] = []
        for (code, window) in windows where now.timeIntervalSince(window.start) >= interval {
            windows[code] = nil
            if window.suppressed > 0 { ended.append((code, window)) }
        }
        return ended.sorted { $0.code < $1.code }
    }

    private func write(_ summaries: [(code: String, window: Window)], logger: Logger) {
        for (code, window) in summaries {
            logger.warning("repeated log entries summarized", metadata: [
                "moat.log.code": code,
                "moat.log.message": window.message,
                "moat.log.suppressed": String(window.suppressed),
                "moat.log.interval_seconds": String(Int(interval)),
            ])
        }
    }
}
