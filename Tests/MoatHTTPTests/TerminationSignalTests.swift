import Foundation
import Testing

@testable import MoatHTTP

@Suite("TerminationSignal")
struct TerminationSignalTests {
    @Test("wait returns the number of the first signal")
    func returnsSignal() async {
        // SIGUSR2 replaces SIGTERM here, so a signal that escapes the wait cannot look like a shutdown request.
        let number = await TerminationSignal.wait(for: [SIGUSR2], whenInstalled: { kill(getpid(), SIGUSR2) })
        #expect(number == SIGUSR2)
    }
}
