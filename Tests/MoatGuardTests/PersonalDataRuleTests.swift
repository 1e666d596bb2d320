import Testing
@testable import MoatGuard

/// The rule ids `InputGuard` reports for `text`.
func rules(in text: String, policy: GuardPolicy = .default) -> [String] {
    InputGuard(policy: policy).scan(text).verdicts.map(\.ruleID)
}

@Suite("Personal data rules")
struct PersonalDataRuleTests {
    @Test("card with a valid Luhn check is found", arguments: ["4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "378282246310005"])
    func validCard(number: String) {
        #expect(rules(in: "Charge card \(number) please").contains(GuardRuleID.piiCard))
    }

    @Test("card with a wrong check digit is ignored", arguments: ["4111 1111 1111 1112", "5555555555554445"])
    func invalidCard(number: String) {
        #expect(!rules(in: "Charge card \(number) please").contains(GuardRuleID.piiCard))
    }

    @Test("IBAN with a valid mod-97 check is found", arguments: [
        "BE68 5390 0754 7034", "NL91ABNA0417164300", "DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "fr1420041010050500013m02606",
    ])
    func validIBAN(iban: String) {
        #expect(rules(in: "Pay to \(iban) today").contains(GuardRuleID.piiIBAN))
    }

    @Test("IBAN with a wrong check is ignored", arguments: ["BE68 5390 0754 7035", "NL91ABNA0417164301", "XX82WEST12345698765432"])
    func invalidIBAN(iban: String) {
        #expect(!rules(in: "Pay to \(iban) today").contains(GuardRuleID.piiIBAN))
    }

    @Test("Belgian national number with a valid check is found", arguments: ["85.07.30-033.28", "01.02.03-045.26", "850730 033 28"])
    func belgianNationalNumber(number: String) {
        #expect(rules(in: "Rijksregisternummer: \(number)").contains(GuardRuleID.piiBelgianNationalNumber))
    }

    @Test("Belgian national number with a wrong check is ignored")
    func belgianNationalNumberWrongCheck() {
        #expect(!rules(in: "Rijksregisternummer: 85.07.30-033.29").contains(GuardRuleID.piiBelgianNationalNumber))
    }

    @Test("Dutch BSN passing the elfproef is found next to its name", arguments: ["111222333", "123456782"])
    func dutchBSN(number: String) {
        #expect(rules(in: "Mijn BSN is \(number).").contains(GuardRuleID.piiDutchBSN))
    }

    @Test("Dutch BSN failing the elfproef is ignored")
    func dutchBSNWrongCheck() {
        #expect(!rules(in: "Mijn BSN is 123456789.").contains(GuardRuleID.piiDutchBSN))
    }

    @Test("nine digits without a BSN cue stay below the threshold")
    func dutchBSNWithoutCue() {
        #expect(!rules(in: "Order 111222333 shipped.").contains(GuardRuleID.piiDutchBSN))
    }

    @Test("US SSN following issuance rules is found")
    func usSSN() {
        #expect(rules(in: "SSN 123-45-6789 on file").contains(GuardRuleID.piiUSSSN))
    }

    @Test("SSN with an area or group never issued is ignored", arguments: ["666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000"])
    func invalidSSN(number: String) {
        #expect(!rules(in: "SSN \(number) on file").contains(GuardRuleID.piiUSSSN))
    }

    @Test("UK NINO with a valid prefix is found", arguments: ["AB 12 34 56 C", "ab123456c"])
    func ukNINO(number: String) {
        #expect(rules(in: "NI number \(number).").contains(GuardRuleID.piiUKNINO))
    }

    @Test("UK NINO with a prefix never issued is ignored", arguments: ["QQ 12 34 56 C", "GB123456A", "AB123456E"])
    func invalidNINO(number: String) {
        #expect(!rules(in: "NI number \(number).").contains(GuardRuleID.piiUKNINO))
    }

    @Test("telephone numbers in E.164 and national formats are found", arguments: [
        "+32 475 12 34 56", "+31 6 12345678", "+33 1 23 45 67 89", "+49 30 12345678", "+44 20 7946 0958", "+1 415 555 2671",
        "0475 12 34 56", "02 123 45 67", "06 12345678", "01 23 45 67 89", "030 12345678", "020 7946 0958", "07700 900123",
        "(415) 555-2671", "415-555-2671", "0032 475 12 34 56",
    ])
    func phone(number: String) {
        #expect(rules(in: "You can reach her at \(number) tomorrow").contains(GuardRuleID.piiPhone))
    }

    @Test("dates, amounts and postal codes are not telephone numbers", arguments: [
        "Invoice dated 2024-01-15 is due", "The total was $1,234.56 today", "Ship to 90210 please", "Released on 15.01.2024 at noon",
        "My driver's license number is 6940579",
    ])
    func notPhone(text: String) {
        #expect(!rules(in: text).contains(GuardRuleID.piiPhone))
    }

    @Test("e-mail addresses are found and redacted")
    func email() {
        let result = InputGuard().scan("Write to Jane.Doe+hr@example.co.uk today")
        #expect(result.verdicts.map(\.ruleID) == [GuardRuleID.piiEmail])
        #expect(result.text == "Write to [REDACTED:pii.email] today")
    }

    @Test("IPv4 and IPv6 addresses are found, version numbers are not")
    func ipAddresses() {
        #expect(rules(in: "Server 192.168.10.20 is down").contains(GuardRuleID.piiIPAddress))
        #expect(rules(in: "Server 2001:db8::8a2e:370:7334 is down").contains(GuardRuleID.piiIPAddress))
        #expect(!rules(in: "Upgrade to 1.2.3.4.5 now").contains(GuardRuleID.piiIPAddress))
        #expect(!rules(in: "Octet 256.1.1.1 is invalid").contains(GuardRuleID.piiIPAddress))
    }

    @Test("spans are Unicode scalar offsets of the original text")
    func scalarOffsets() throws {
        let text = "Café 🎉 mail: ana@example.com"
        let verdict = try #require(InputGuard().scan(text).verdicts.first { $0.ruleID == GuardRuleID.piiEmail })
        let scalars = Array(text.unicodeScalars)
        let span = try #require(verdict.span)
        #expect(String(String.UnicodeScalarView(scalars[span])) == "ana@example.com")
    }

    @Test("reasons never contain the matched value")
    func reasonsHideValues() {
        let result = InputGuard().scan("Card 4111 1111 1111 1111, mail ana@example.com, IBAN BE68 5390 0754 7034")
        for verdict in result.verdicts {
            #expect(!verdict.reason.contains("4111"))
            #expect(!verdict.reason.contains("ana@"))
            #expect(!verdict.reason.contains("5390"))
            #expect(verdict.reason.hasPrefix(verdict.ruleID + ": "))
        }
    }
}
