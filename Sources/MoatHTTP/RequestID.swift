import Foundation
import MoatCore

/// Request ids: the value of `X-Request-Id` and of the `moat.request.id`
/// log key.
public enum RequestID {
    /// Returns a new id of 32 lower-case hex digits (16 random bytes from the
    /// system's cryptographically secure generator).
    public static func generate() -> String {
        var random = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &random) { target in ThreadRandomBytes.current.buffer.take(into: target) }
        // Written straight into the string's storage: the id is made for every
        // request, and temporary arrays here showed in the gateway's profile.
        return String(unsafeUninitializedCapacity: 32) { output in
            withUnsafeBytes(of: &random) { bytes in
                for (index, byte) in bytes.enumerated() {
                    output[2 * index] = hexDigit(byte >> 4)
                    output[2 * index + 1] = hexDigit(byte & 0xF)
                }
            }
            return 32
        }
    }

    /// Returns the lower-case hex digit of a value from 0 to 15.
    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Returns whether a client-supplied id may be reused: 1 to 64 characters
    /// from `[A-Za-z0-9._-]`, so it cannot carry separators into logs or headers.
    public static func isAcceptable(_ candidate: String) -> Bool {
        let utf8 = candidate.utf8
        return (1...64).contains(utf8.count) && utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}

/// Random bytes fetched 4 KiB at a time, because glibc 2.36 serves every
/// arc4random_buf call with a getrandom(2) system call and a request id is
/// made for every request.
private struct RandomByteBuffer {
    private var bytes = [UInt8](repeating: 0, count: 4096)
    private var offset = 4096

    /// Fills `target` with the next unused bytes, refilling the buffer from arc4random_buf when it runs out.
    mutating func take(into target: UnsafeMutableRawBufferPointer) {
        if offset + target.count > bytes.count {
            bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
            offset = 0
        }
        bytes.withUnsafeBytes { source in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + target.count]))
        }
        offset += target.count
    }
}

/// A ``RandomByteBuffer`` per thread: one shared buffer behind a lock made
/// the event-loop threads take turns on one lock and one cache line for
/// every request.
private final class ThreadRandomBytes {
    var buffer = RandomByteBuffer()

    static var current: ThreadRandomBytes {
        if let stored = pthread_getspecific(key) {
            return Unmanaged<ThreadRandomBytes>.fromOpaque(stored).takeUnretainedValue()
        }
        let created = ThreadRandomBytes()
        // Released by the key's destructor when the thread exits.
        pthread_setspecific(key, Unmanaged.passRetained(created).toOpaque())
        return created
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { stored in
            if let stored {
                Unmanaged<ThreadRandomBytes>.fromOpaque(stored).release()
            }
        }
        return key
    }()
}
