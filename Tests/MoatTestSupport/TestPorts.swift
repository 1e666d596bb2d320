import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Loopback ports for test servers whose address must be known before they
/// start, such as a gateway whose redirect URI names its own port.
///
/// A port that the kernel returns for `bind(0)` lies in the ephemeral range.
/// Every outgoing connection of a parallel test draws from that range too, so
/// one of them can take the port before the server binds it. These ports lie
/// just below the range, where only listeners go, and each is returned once
/// per process.
public enum TestPorts {
    private static let span = 12_000
    private static let next = Mutex(0)
    // The process id spreads concurrent test processes over the span.
    private static let start = Int(getpid()) * 211 % span
    private static let floor = max(1_024, ephemeralRangeStart() - span)

    public struct Exhausted: Error, CustomStringConvertible {
        public var description: String {
            "no free loopback port below the ephemeral range; stop test servers left running from an earlier run"
        }
    }

    /// Returns a loopback port that no other caller in this process received
    /// and that nothing was listening on a moment ago.
    public static func reserve() throws -> Int {
        for _ in 0..<span {
            let offset = next.withLock { value in
                defer { value += 1 }
                return value
            }
            let port = floor + (start + offset) % span
            if isFree(port) { return port }
        }
        throw Exhausted()
    }

    private static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    private static func isFree(_ port: Int) -> Bool {
        guard let (descriptor, _) = try? openLoopbackSocket(port: port, backlog: nil) else { return false }
        close(descriptor)
        return true
    }
}
