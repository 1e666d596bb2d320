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
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
