import CCurl
import Foundation
import MoatHTTP

extension WebSocketTunnel {
    private enum DrainResult {
        case open, ended
        case failed(String)
    }

    /// Copies bytes between the client and the upstream until both directions
    /// ended, then closes both. Blocks; run it on the upgrade handler's thread.
    ///
    /// The end of one direction is passed on as a half-close (RFC 9293 §3.6),
    /// and a read error on either side closes both.
    ///
    /// - Returns: nil when both directions ended, or the reason a read failed.
    @discardableResult
    func pump(_ client: UpgradedConnection) -> String? {
        defer {
            connection.close()
            client.close()
        }
        if !client.bufferedInput.isEmpty, !connection.sendAll([UInt8](client.bufferedInput)[...]) {
            return "sending the client's first bytes to the upstream failed"
        }
        if !leftover.isEmpty, !Self.sendAll(client.socket, leftover[...]) {
            return "sending the upstream's first bytes to the client failed with errno \(errno)"
        }

        var clientOpen = true
        var upstreamOpen = true
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while clientOpen || upstreamOpen {
            if upstreamOpen {
                switch drainUpstream(to: client, buffer: &buffer) {
                case .open:
                    break
                case .ended:
                    upstreamOpen = false
                    client.shutdownWrite()
                case .failed(let reason):
                    return reason
                }
            }
            guard clientOpen || upstreamOpen else { break }
            // poll ignores a negative descriptor, which parks a direction that has ended.
            var descriptors = [
                pollfd(fd: clientOpen ? client.socket : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: upstreamOpen ? connection.socket : -1, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&descriptors, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                return "poll failed with errno \(errno)"
            }
            guard clientOpen, descriptors[0].revents != 0 else { continue }
            let count = recv(client.socket, &buffer, buffer.count, 0)
            let readError = errno
            if count > 0, connection.sendAll(buffer[0..<count]) {
                continue
            }
            if count < 0 && readError == EINTR { continue }
            clientOpen = false
            connection.shutdownWrite()
            if count < 0 {
                return "reading from the client failed with errno \(readError)"
            }
        }
        return nil
    }

    /// Sends the client everything the upstream has ready. TLS can hold
    /// decrypted bytes while the socket is not readable, so this reads until
    /// libcurl has nothing left, after every wake-up and not only when poll
    /// reports the upstream socket.
    private func drainUpstream(to client: UpgradedConnection, buffer: inout [UInt8]) -> DrainResult {
        while true {
            switch connection.receive(into: &buffer) {
            case .bytes(let count):
                guard Self.sendAll(client.socket, buffer[0..<count]) else { return .ended }
            case .wouldBlock:
                return .open
            case .closed:
                return .ended
            case .failed(let reason):
                return .failed("reading from the upstream failed: \(reason)")
            }
        }
    }

    /// Writes all of `bytes` to the client's blocking socket.
    static func sendAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
