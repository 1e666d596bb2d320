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

    @Test("URL without a host is named")
    func noHost() {
        let reason = TCPProbe.failureReason(connectingTo: "not a url")
        #expect(reason?.contains("not a URL with a host") == true, "reason: \(reason ?? "none")")
    }
}
