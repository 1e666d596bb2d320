import Foundation
import MoatHTTP

/// A TCP connection to the upstream for a WebSocket (or other) upgrade.
///
/// libcurl 7.88 cannot hand an upgraded connection over to its caller, so
/// upgrades use a plain socket: the gateway writes the request head, reads
/// the response head, and after a 101 copies bytes both ways until either
/// side closes.
final class WebSocketTunnel: @unchecked Sendable {
    // @unchecked: after `open` returns, the descriptor is used by one pump thread only.
    let descriptor: Int32
    /// The upstream's response: status, fields and the bytes that followed the head.
    let status: Int
    let headers: HTTPHeaders
    let leftover: [UInt8]

    /// Largest response head accepted from the upstream, in bytes.
    static let maxHeadBytes = 16 * 1024

    private init(descriptor: Int32, status: Int, headers: HTTPHeaders, leftover: [UInt8]) {
        self.descriptor = descriptor
        self.status = status
        self.headers = headers
        self.leftover = leftover
    }

    /// Connects to `host`:`port`, sends `head` and reads the response head. Blocks.
    static func open(host: String, port: Int, head: String, connectTimeout: TimeInterval, readTimeout: TimeInterval) throws(GatewayError) -> WebSocketTunnel {
        let descriptor = try connect(host: host, port: port, timeout: connectTimeout)
        var timeout = timeval(tv_sec: Int(readTimeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(head.utf8)
        guard sendAll(descriptor, bytes[...]) else {
            close(descriptor)
            throw GatewayError(.upstreamUnreachable, "sending the upgrade request to \(host):\(port) failed with errno \(errno)")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = headEnd(received) {
                guard let (status, headers) = parseHead(received[..<end]) else {
                    close(descriptor)
                    throw GatewayError(.upstreamProtocolError, "the upstream's response to the upgrade is not HTTP/1.1")
                }
                // The pump waits on poll, not on the receive timeout.
                var none = timeval(tv_sec: 0, tv_usec: 0)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
                return WebSocketTunnel(descriptor: descriptor, status: status, headers: headers, leftover: Array(received[(end + 4)...]))
            }
            guard received.count < maxHeadBytes else {
                close(descriptor)
                throw GatewayError(.upstreamProtocolError, "the upstream's response head exceeds \(maxHeadBytes) bytes")
            }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else {
                let timedOut = count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
                close(descriptor)
                throw timedOut
                    ? GatewayError(.upstreamTimeout, "the upstream did not respond to the upgrade within \(Int(readTimeout)) s")
                    : GatewayError(.upstreamUnreachable, "the upstream closed the connection during the upgrade")
            }
            received += buffer[0..<count]
        }
    }

    /// Copies bytes between the client and the upstream until both directions
    /// ended, then closes both. Blocks; run it on the upgrade handler's thread.
    func pump(_ client: UpgradedConnection) {
        defer {
            close(descriptor)
            client.close()
        }
        if !client.bufferedInput.isEmpty, !Self.sendAll(descriptor, [UInt8](client.bufferedInput)[...]) { return }
        if !leftover.isEmpty, !Self.sendAll(client.socket, leftover[...]) { return }

        var fds = [pollfd(fd: client.socket, events: Int16(POLLIN), revents: 0), pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while open[0] || open[1] {
            let sockets = [client.socket, descriptor]
            for index in 0..<2 {
                // poll ignores a negative descriptor, which parks a direction that has ended.
                fds[index].fd = open[index] ? sockets[index] : -1
                fds[index].revents = 0
            }
            guard poll(&fds, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                return
            }
            for index in 0..<2 where open[index] && fds[index].revents != 0 {
                let source = index == 0 ? client.socket : descriptor
                let target = index == 0 ? descriptor : client.socket
                let count = recv(source, &buffer, buffer.count, 0)
                if count > 0, Self.sendAll(target, buffer[0..<count]) {
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                // End of stream or an error on one side: pass the half-close on (RFC 9293 §3.6).
                open[index] = false
                _ = shutdown(target, Int32(SHUT_WR))
                if count < 0 {
                    return
                }
            }
        }
    }

    private static func connect(host: String, port: Int, timeout: TimeInterval) throws(GatewayError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
            throw GatewayError(.upstreamUnreachable, "the upstream host \(host) does not resolve")
        }
        defer { freeaddrinfo(results) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var lastError = GatewayError(.upstreamUnreachable, "no address of \(host):\(port) accepted the connection")
        while let info = candidate {
            candidate = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            let flags = fcntl(descriptor, F_GETFL)
            _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
            var result = Glibc.connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var descriptorPoll = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&descriptorPoll, 1, Int32(timeout * 1000))
                if ready == 0 {
                    close(descriptor)
                    lastError = GatewayError(.upstreamTimeout, "connecting to \(host):\(port) took longer than \(timeout) s")
                    continue
                }
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
                result = ready > 0 && socketError == 0 ? 0 : -1
            }
            guard result == 0 else {
                close(descriptor)
                continue
            }
            _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK)
            var noDelay: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            return descriptor
        }
        throw lastError
    }

    private static func sendAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// Reads the status line and fields of a response head (RFC 9112 §4 and §5).
    /// Obsolete line folding and fields without a colon make the head invalid.
    private static func parseHead(_ head: ArraySlice<UInt8>) -> (Int, HTTPHeaders)? {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]), (100...599).contains(status) else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix(" "), !line.hasPrefix("\t") else { return nil }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard HTTPHeaders.validate(name: name, value: value) == .valid else { return nil }
            headers.add(name, value)
        }
        return (status, headers)
    }
}

extension Gateway {
    /// Opens a tunnel to the upstream and, when it switches protocols, hands
    /// the client connection over to it.
    /// Blocks while connecting; call it on a worker thread.
    func forwardUpgrade(_ request: HTTPRequest, headers: HTTPHeaders) -> HTTPResponse {
        guard configuration.upstream.scheme?.lowercased() == "http", let host = configuration.upstream.host else {
            // NOTE: upgrades to an https upstream would need TLS on the tunnel socket.
            return ProblemDetails.badGateway(code: "upgrade_unsupported", "WebSocket pass-through needs an http upstream")
                .response(requestID: request.requestID)
        }
        let port = configuration.upstream.port ?? 80
        var head = "GET \(request.target) HTTP/1.1\r\n"
        for field in headers {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Connection: Upgrade\r\nUpgrade: \(request.headers["Upgrade"] ?? "websocket")\r\n\r\n"

        let opened = Result { () throws(GatewayError) in
            try WebSocketTunnel.open(
                host: host, port: port, head: head, connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout
            )
        }
        let tunnel: WebSocketTunnel
        switch opened {
        case .success(let success):
            tunnel = success
        case .failure(let error):
            return upstreamFailure(request, isTimeout: error.code == .upstreamTimeout, code: error.code.rawValue, reason: error.reason)
        }

        var responseFields = tunnel.headers
        let upgrade = responseFields["Upgrade"]
        responseFields = responseHeaders(responseFields, requestID: request.requestID)
        guard tunnel.status == 101 else {
            // The upstream rejected the upgrade, so its response goes back as it is, with the body bytes read so far.
            close(tunnel.descriptor)
            return HTTPResponse(status: tunnel.status, headers: responseFields, body: Data(tunnel.leftover))
        }
        if let upgrade {
            responseFields.set("Upgrade", upgrade)
        }
        var response = HTTPResponse(status: 101, headers: responseFields)
        response.upgradeHandler = { connection in tunnel.pump(connection) }
        logger.info("websocket upgraded", metadata: ["moat.request.id": request.requestID, "moat.http.path": request.path])
        return response
    }
}
