import Dispatch
import Foundation

/// The wait for a shutdown request from the process manager (SIGINT or SIGTERM).
public enum TerminationSignal {
    /// Suspends until the first SIGINT or SIGTERM arrives and returns its number.
    ///
    /// The default actions of both signals are replaced while waiting, so
    /// the process survives to shut down gracefully. After the first signal
    /// the defaults are restored, so a second Ctrl-C ends the process at once.
    public static func wait() async -> Int32 {
        await wait(for: [SIGINT, SIGTERM], whenInstalled: {})
    }

    /// Waits for the first of `signals`; `whenInstalled` runs on a private
    /// queue once every source is registered, which lets tests raise a
    /// signal safely.
    ///
    /// On Linux libdispatch registers a signal source asynchronously and then
    /// installs its own handler, which routes the signal to a signalfd. A
    /// signal that arrives before that is ignored rather than fatal.
    static func wait(for signals: [Int32], whenInstalled: @escaping @Sendable () -> Void) async -> Int32 {
        let queue = DispatchQueue(label: "moat.termination-signal")
        return await withCheckedContinuation { continuation in
            let sources = signals.map { number in
                // A signal with its default action would end the process before the source receives it.
                signal(number, SIG_IGN)
                return DispatchSource.makeSignalSource(signal: number, queue: queue)
            }
            let group = SignalSources(sources: sources, signals: signals)
            for (source, number) in zip(sources, signals) {
                source.setRegistrationHandler {
                    if group.registered() {
                        whenInstalled()
                    }
                }
                source.setEventHandler {
                    // Runs on the serial queue, so only the first signal gets past `finish`.
                    guard group.finish() else { return }
                    continuation.resume(returning: number)
                }
                source.resume()
            }
        }
    }
}

/// The installed signal sources of one wait.
private final class SignalSources: @unchecked Sendable {
    // @unchecked: `finished` and `registrations` are used only on the wait's serial queue.
    private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]
    private var finished = false
    private var registrations = 0

    init(sources: [any DispatchSourceSignal], signals: [Int32]) {
        self.sources = sources
        self.signals = signals
    }

    /// Counts a completed registration; returns true for the last one.
    func registered() -> Bool {
        registrations += 1
        return registrations == sources.count
    }

    /// Cancels every source and restores the default actions; returns false
    /// when an earlier signal already did.
    func finish() -> Bool {
        guard !finished else { return false }
        finished = true
        for source in sources {
            source.cancel()
        }
        for number in signals {
            signal(number, SIG_DFL)
        }
        return true
    }
}
