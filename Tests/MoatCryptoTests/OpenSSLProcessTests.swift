import MoatCrypto
import Testing

@Suite("OpenSSL process set-up")
struct OpenSSLProcessTests {
    @Test("OpenSSL is initialised before main without an exit-time cleanup")
    func preparedBeforeMain() {
        #expect(OpenSSLProcess.isPreparedForExit)
    }
}
