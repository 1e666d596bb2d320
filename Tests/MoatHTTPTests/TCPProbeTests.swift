import Foundation
import MoatHTTP
import MoatTestSupport
import Testing

@Suite("TCP probe")
struct TCPProbeTests {
    @Test("listening port is reachable")
    func listening() throws {
        let (listener, port) = try openLoopbackSocket(backlog: 4)
        defer { close(listener) }

        #expect(TCPProbe.failureReason(connectingTo: "http://127.0.0.1:\(port)") == nil)
    }

    @Test("port without a listener is refused")
    func refused() throws {
        // Bound but not listening, so the port stays ours and every connection is refused.
        let (reserved, port) = try openLoopbackSocket(backlog: nil)
        defer { close(reserved) }

        let reason = TCPProbe.failureReason(connectingTo: "http://127.0.0.1:\(port)/")
        #expect(reason?.lowercased().contains("refused") == true, "reason: \(reason ?? "none")")
    }

    @Test("localhost on ::1 only reachable", .enabled(if: isIPv6LoopbackAvailable))
    func localhostOnIPv6() throws {
        // The port is bound on 127.0.0.1 without listening, so connections there are
        // refused. A port that another test uses on 127.0.0.1 is skipped for a new one.
        var sockets: (listener: Int32, reserved: Int32, port: Int)?
        for _ in 0..<5 where sockets == nil {
            let (listener, port) = try openLoopbackSocket(backlog: 4, ipv6: true)
            if let (reserved, _) = try? openLoopbackSocket(port: port, backlog: nil) {
                sockets = (listener, reserved, port)
            } else {
                close(listener)
            }
        }
        let (listener, reserved, port) = try #require(sockets)
        defer {
            close(listener)
            close(reserved)
        }

        #expect(TCPProbe.failureReason(connectingTo: "http://localhost:\(port)") == nil)
    }

    @Test("URL without a host is named")
    func noHost() {
        let reason = TCPProbe.failureReason(connectingTo: "not a url")
        #expect(reason?.contains("not a URL with a host") == true, "reason: \(reason ?? "none")")
    }
}
