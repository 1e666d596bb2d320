import Foundation
import MoatCore
import Testing

@Suite("Clocks")
struct ClockTests {
    @Test("manual clock starts at its documented default")
    func manualClockDefault() {
        #expect(ManualClock().now() == Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test("manual clock keeps its time until moved")
    func manualClockStill() async throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1000))

        let first = clock.now()
        try await Task.sleep(for: .milliseconds(20))

        #expect(clock.now() == first)
    }

    @Test("manual clock moves forward, backward and to a set time")
    func manualClockMoves() {
        let clock = ManualClock(Date(timeIntervalSince1970: 1000))

        clock.advance(by: 90)
        #expect(clock.now() == Date(timeIntervalSince1970: 1090))

        clock.advance(by: -30.5)
        #expect(clock.now() == Date(timeIntervalSince1970: 1059.5))

        clock.set(Date(timeIntervalSince1970: 5))
        #expect(clock.now() == Date(timeIntervalSince1970: 5))
    }

    @Test("manual clock loses no concurrent advance")
    func manualClockConcurrent() async {
        let clock = ManualClock(Date(timeIntervalSince1970: 0))

        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<500 {
                        clock.advance(by: 1)
                    }
                }
            }
        }

        #expect(clock.now() == Date(timeIntervalSince1970: 4000))
    }

    @Test("system clock reads the current time")
    func systemClockNow() {
        let before = Date()
        let now = SystemClock().now()
        let after = Date()

        #expect(now >= before)
        #expect(now <= after)
    }

    @Test("locked value loses no concurrent update")
    func lockedValueConcurrent() async {
        let counter = LockedValue(0)

        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<500 {
                        counter.withLock { $0 += 1 }
                    }
                }
            }
        }

        #expect(counter.current == 4000)
    }
}
