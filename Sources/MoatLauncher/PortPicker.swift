import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns port 0 into a concrete free port before start-up, because the
/// services must know each other's addresses (redirect URIs, issuer) before
/// they bind.
enum PortPicker {
    static func resolve(_ port: Int, host: String) throws -> Int {
        guard port == 0 else { return port }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LaunchError("cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw LaunchError("cannot bind \(host) to find a free port; set the ports explicitly") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw LaunchError("cannot read the free port the system chose") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
