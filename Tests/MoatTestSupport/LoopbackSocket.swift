import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens a TCP socket bound to 127.0.0.1 at `port`, or at a free port for 0.
///
/// - Parameters:
///   - backlog: the `listen` backlog; nil leaves the socket bound but not listening.
///   - reuseAddress: sets `SO_REUSEADDR` before binding.
///   - ipv6: binds ::1 instead, with `IPV6_V6ONLY` so that 127.0.0.1 stays unbound.
/// - Returns: the descriptor, which the caller closes, and the bound port.
/// - Throws: ``BlockingSocket/Failure`` with `errno` when a call fails.
public func openLoopbackSocket(port: Int = 0, backlog: Int32?, reuseAddress: Bool = false, ipv6: Bool = false) throws -> (descriptor: Int32, port: Int) {
    if ipv6 {
        return try openIPv6LoopbackSocket(port: port, backlog: backlog, reuseAddress: reuseAddress)
    }
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw BlockingSocket.Failure(description: "socket() failed with errno \(errno)") }
    if reuseAddress {
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = try bindLoopback(descriptor, to: address, named: "127.0.0.1:\(port)", backlog: backlog) { $0.sin_port }
    return (descriptor, bound)
}

/// Binds `descriptor` to `address`, listens when `backlog` is set, and returns the bound port.
/// Closes `descriptor` and throws when a call fails.
private func bindLoopback<Address>(
    _ descriptor: Int32, to address: Address, named name: String, backlog: Int32?, port: (Address) -> UInt16
) throws -> Int {
    var address = address
    var length = socklen_t(MemoryLayout<Address>.size)
    let ready = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && (backlog.map { listen(descriptor, $0) == 0 } ?? true) && getsockname(descriptor, $0, &length) == 0
        }
    }
    guard ready else {
        let code = errno
        close(descriptor)
        throw BlockingSocket.Failure(description: "binding \(name) failed with errno \(code)")
    }
    return Int(UInt16(bigEndian: port(address)))
}

/// True when this machine can bind ::1, which some containers disable.
public let isIPv6LoopbackAvailable: Bool = {
    guard let (descriptor, _) = try? openIPv6LoopbackSocket(port: 0, backlog: nil, reuseAddress: false) else { return false }
    close(descriptor)
    return true
}()

private func openIPv6LoopbackSocket(port: Int, backlog: Int32?, reuseAddress: Bool) throws -> (descriptor: Int32, port: Int) {
    let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw BlockingSocket.Failure(description: "socket(AF_INET6) failed with errno \(errno)") }
    var enabled: Int32 = 1
    setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &enabled, socklen_t(MemoryLayout<Int32>.size))
    if reuseAddress {
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enabled, socklen_t(MemoryLayout<Int32>.size))
    }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_port = UInt16(port).bigEndian
    address.sin6_addr = in6addr_loopback
    let bound = try bindLoopback(descriptor, to: address, named: "[::1]:\(port)", backlog: backlog) { $0.sin6_port }
    return (descriptor, bound)
}
