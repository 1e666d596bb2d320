import Foundation
import Testing

@testable import MoatHTTP

@Suite("TerminationSignal")
struct TerminationSignalTests {
    @Test("wait returns the number of the first signal")
    func returnsSignal() async {
        // SIGUSR2 stands in for SIGTERM so that a mistake cannot end the test run's other work.
        let number = await TerminationSignal.wait(for: [SIGUSR2], whenInstalled: { kill(getpid(), SIGUSR2) })
        #expect(number == SIGUSR2)
    }
}
