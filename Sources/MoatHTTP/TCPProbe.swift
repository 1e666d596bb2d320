import CMicroHTTPD
import Foundation

/// A one-off TCP connection attempt, to tell at start-up whether anything
/// listens at an address that requests will go to later.
public enum TCPProbe {
    /// Connects to the host and port of an `http` or `https` URL and closes
    /// the connection at once. Returns nil when the connection opened, or
    /// the reason it did not, such as "Connection refused" or "timed out
    /// after 1 s". The name lookup, when the host is a name, may take longer
    /// than `timeout`. `localhost` is tried at 127.0.0.1 and then ::1, as the
    /// gateway's upstream client and libcurl do.
    public static func failureReason(connectingTo urlText: String, timeout: TimeInterval = 1) -> String? {
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), var host = url.host, !host.isEmpty else {
            return "\(urlText) is not a URL with a host"
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        guard host.lowercased() == "localhost" else {
            return failureReason(host: host, port: port, timeout: timeout)
        }
        guard let reason = failureReason(host: "127.0.0.1", port: port, timeout: timeout) else { return nil }
        return failureReason(host: "::1", port: port, timeout: timeout).map { "\(reason) at 127.0.0.1, \($0) at ::1" }
    }

    private static func failureReason(host: String, port: Int, timeout: TimeInterval) -> String? {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, String(port), &hints, &results)
        guard lookup == 0, let first = results else {
            return "the name \(host) could not be resolved (\(String(cString: gai_strerror(lookup))))"
        }
        defer { freeaddrinfo(results) }

        // Tries each address in turn, as a client would, and reports the last failure.
        var reason = "no address for \(host)"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            next = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else {
                reason = String(cString: strerror(errno))
                continue
            }
            defer { close(descriptor) }
            if connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                return nil
            }
            guard errno == EINPROGRESS else {
                reason = String(cString: strerror(errno))
                continue
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, Int32((timeout * 1000).rounded(.up)))
            if ready == 0 {
                reason = "timed out after \(String(format: "%g", timeout)) s"
                continue
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if ready < 0 || getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) != 0 {
                code = errno
            }
            if code == 0 {
                return nil
            }
            reason = String(cString: strerror(code))
        }
        return reason
    }
}
