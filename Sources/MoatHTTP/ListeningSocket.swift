import CMicroHTTPD
import Foundation

/// A TCP socket bound and listening before libmicrohttpd takes it over.
///
/// Binding here, not inside libmicrohttpd, gives ``HTTPServer/start()`` the
/// `errno` of a failed bind (so "address in use" is reported as such) and
/// the port the kernel picked for port 0.
struct ListeningSocket {
    let descriptor: Int32
    let port: Int
    let isIPv6: Bool

    /// Binds and listens on `host:port`.
    ///
    /// - Parameter reusePort: sets `SO_REUSEPORT`, so that several sockets
    ///   bind the same port and the kernel spreads new connections over them.
    /// - Parameter listening: false leaves the socket bound but not listening.
    static func open(host: String, port: Int, reusePort: Bool = false, listening: Bool = true) throws(HTTPServerError) -> ListeningSocket {
        let address = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, String(port), &hints, &results)
        guard lookup == 0, let info = results else {
            let detail = String(cString: gai_strerror(lookup))
            throw HTTPServerError(.invalidAddress, "cannot resolve \(address) (\(detail)); use an IP address or a resolvable host name")
        }
        defer { freeaddrinfo(results) }

        let descriptor = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw HTTPServerError(.bindFailed, "cannot create a socket for \(address): \(String(cString: strerror(errno)))")
        }
        var enable: Int32 = 1
        // Lets a restarted server bind while old connections sit in TIME_WAIT.
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enable, socklen_t(MemoryLayout<Int32>.size))
        if reusePort {
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &enable, socklen_t(MemoryLayout<Int32>.size))
        }

        guard bind(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(descriptor)
            if code == EADDRINUSE {
                throw HTTPServerError(.addressInUse, "\(address) is already in use; stop the other process or choose another port")
            }
            throw HTTPServerError(.bindFailed, "cannot bind \(address): \(String(cString: strerror(code)))")
        }
        guard !listening || (listen(descriptor, SOMAXCONN) == 0 && fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0) else {
            let code = errno
            close(descriptor)
            throw HTTPServerError(.bindFailed, "cannot listen on \(address): \(String(cString: strerror(code)))")
        }

        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let boundPort = withUnsafeMutablePointer(to: &bound) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        } == 0 ? Self.port(of: bound) : port
        return ListeningSocket(descriptor: descriptor, port: boundPort, isIPv6: info.pointee.ai_family == AF_INET6)
    }

    /// Binds `host:port` without `SO_REUSEPORT` and closes the socket again.
    ///
    /// - Throws: `address_in_use` when any socket listens there, including
    ///   `SO_REUSEPORT` sockets of another process, which a socket opened with
    ///   `reusePort` would join. Not detected: a process that binds between
    ///   this check and the caller's own bind, and a later program of the same
    ///   user that binds with `SO_REUSEPORT` without such a check.
    static func checkFree(host: String, port: Int) throws(HTTPServerError) {
        let probe = try open(host: host, port: port, reusePort: false, listening: false)
        close(probe.descriptor)
    }

    private static func port(of storage: sockaddr_storage) -> Int {
        var storage = storage
        let isIPv6 = storage.ss_family == sa_family_t(AF_INET6)
        return withUnsafePointer(to: &storage) { pointer in
            if isIPv6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}
