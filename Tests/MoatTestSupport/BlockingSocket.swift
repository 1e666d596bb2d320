import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP client socket for tests that read a response piece by piece.
///
/// Every call blocks, so tests run them through ``onThread(_:)`` to keep the
/// cooperative pool free for the server under test.
public final class BlockingSocket: @unchecked Sendable {
    // @unchecked: a test uses one socket from one thread at a time.
    public let descriptor: Int32
    private var pending: [UInt8] = []

    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Connects to 127.0.0.1:`port`; reads give up after `timeoutSeconds`.
    public init(port: Int, timeoutSeconds: Int = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed with errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw Failure(description: "connect to port \(port) failed with errno \(errno)")
        }
    }

    /// Wraps an accepted socket.
    public init(descriptor: Int32, timeoutSeconds: Int = 10) {
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        Glibc.close(descriptor)
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send failed with errno \(errno)") }
            offset += sent
        }
    }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Reads until `marker` has arrived; returns everything up to and including it.
    public func read(until marker: String) throws -> String {
        let needle = Array(marker.utf8)
        while true {
            if let range = Self.find(needle, in: pending) {
                let text = String(decoding: pending[..<range], as: UTF8.self)
                pending.removeFirst(range)
                return text
            }
            guard try fill() else {
                throw Failure(description: "connection closed before \(marker.debugDescription) arrived; received \(String(decoding: pending, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// Reads exactly `count` bytes.
    public func read(count: Int) throws -> [UInt8] {
        while pending.count < count {
            guard try fill() else { throw Failure(description: "connection closed after \(pending.count) of \(count) bytes") }
        }
        let bytes = Array(pending[..<count])
        pending.removeFirst(count)
        return bytes
    }

    /// Reads until the peer closes the connection.
    public func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { pending = [] }
        return pending
    }

    /// Returns false at end of stream; throws on timeout or error.
    private func fill() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count == 0 { return false }
        guard count > 0 else { throw Failure(description: "recv failed with errno \(errno) (a timeout is EAGAIN, \(EAGAIN))") }
        pending += buffer[0..<count]
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start + needle.count
        }
        return nil
    }
}

/// Runs blocking work on a thread of its own.
public func onThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
