import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns port 0 into a concrete free port before start-up, because the
/// services must know each other's addresses (redirect URIs, issuer) before
/// they bind.
///
/// A port that the kernel returns for `bind(0)` lies in the ephemeral range.
/// Every outgoing connection draws from that range too, so one of them could
/// take the port before the service binds it, which happened between parallel
/// tests. Picked ports lie just below the range instead, where only listeners
/// go, and each is handed out once per process.
/// NOTE: another listener can still take a picked port before the service binds it.
public enum PortPicker {
    private static let span = 12_000
    private static let next = Mutex(0)
    // The process id spreads concurrent processes over the span.
    private static let start = Int(getpid()) * 211 % span
    private static let floor = max(1_024, ephemeralRangeStart() - span)

    static func resolve(_ port: Int, host: String) throws -> Int {
        guard port == 0 else { return port }
        return try freePort(host: host)
    }

    /// Returns a port on `host` that no other caller in this process received
    /// and that nothing was bound to a moment ago.
    ///
    /// - Throws: ``LaunchError`` when the host cannot be bound or no port is free.
    public static func freePort(host: String = "127.0.0.1") throws -> Int {
        let address = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        guard address != INADDR_NONE else {
            throw LaunchError("cannot pick a free port on \(host): not an IPv4 address; set the ports explicitly")
        }
        for _ in 0..<span {
            let offset = next.withLock { value in
                defer { value += 1 }
                return value
            }
            let port = floor + (start + offset) % span
            if isFree(port, address: address) { return port }
        }
        throw LaunchError("no free port on \(host) between \(floor) and \(floor + span - 1); set the ports explicitly")
    }

    private static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    private static func isFree(_ port: Int, address: in_addr_t) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = UInt16(port).bigEndian
        socketAddress.sin_addr.s_addr = address
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
