import Foundation

/// Runs the built-in scanners over labelled datasets and measures them.
///
/// Each dataset is split deterministically into a tuning half and a
/// checking half by the FNV-1a hash of a record's split key (the text for
/// classification sets, the template for personal-data sets, the file for
/// secret sets, so related records stay together). Rules were tuned while
/// looking at errors of the tuning half only; the checking half estimates
/// how the rules do on text they were not tuned on.
public enum GuardEvaluation {
    public enum Half: String, Sendable, CaseIterable {
        case tune, check, all

        func contains(_ key: String) -> Bool {
            switch self {
            case .all: true
            case .tune: PhraseMatcher.hash(Array(key.unicodeScalars)[...]) % 2 == 0
            case .check: PhraseMatcher.hash(Array(key.unicodeScalars)[...]) % 2 == 1
            }
        }
    }

    /// One measured line: a scanner or rule on a dataset half.
    public struct Row: Sendable {
        public var dataset: String
        public var scanner: String
        public var half: Half
        public var metrics: GuardMetrics
    }

    /// Personal-data types of the span sets and the rule that should find each.
    public static let personalDataRules: [String: String] = [
        "CREDIT_CARD": GuardRuleID.piiCard, "IBAN_CODE": GuardRuleID.piiIBAN, "EMAIL_ADDRESS": GuardRuleID.piiEmail,
        "PHONE_NUMBER": GuardRuleID.piiPhone, "US_SSN": GuardRuleID.piiUSSSN, "IP_ADDRESS": GuardRuleID.piiIPAddress,
    ]

    /// Rules that count as structured personal data: cards, IBANs, e-mail, phones and national identifiers.
    public static let structuredRules: Set<String> = [
        GuardRuleID.piiCard, GuardRuleID.piiIBAN, GuardRuleID.piiEmail, GuardRuleID.piiPhone, GuardRuleID.piiUSSSN,
        GuardRuleID.piiBelgianNationalNumber, GuardRuleID.piiDutchBSN, GuardRuleID.piiUKNINO,
    ]

    public static func evaluate(_ dataset: GuardDataset, half: Half, policy: GuardPolicy = .default) -> [Row] {
        let records = dataset.records.filter { half.contains($0.splitKey) }
        switch dataset.layout {
        case .classification:
            return classification(dataset.name, records, half: half, policy: policy)
        case .personalDataSpans:
            return personalData(dataset.name, records, half: half, policy: policy)
        case .secretLines:
            return secrets(dataset.name, records, half: half, policy: policy)
        }
    }

    static func isInjection(_ verdict: GuardVerdict) -> Bool {
        verdict.ruleID.hasPrefix("injection.") || verdict.ruleID == GuardRuleID.hiddenEncoded
            || verdict.ruleID == GuardRuleID.hiddenTagCharacters
    }

    /// Injection sets: a record is predicted an attack when an injection
    /// verdict fires. Sets whose name contains `indirect` are passages and go
    /// through ``RetrievedContentGuard``; they are also measured with each
    /// attack planted in the middle of a benign passage of the same set.
    static func classification(_ name: String, _ records: [GuardDataset.Record], half: Half, policy: GuardPolicy) -> [Row] {
        let isPassageSet = name.contains("indirect")
        let input = InputGuard(policy: policy)
        let retrieved = RetrievedContentGuard(policy: policy)
        func measure(_ texts: [(String, Bool, String)]) -> GuardMetrics {
            var metrics = GuardMetrics()
            for (text, isAttack, id) in texts {
                let started = ContinuousClock.now
                let result = isPassageSet ? retrieved.scan(text) : input.scan(text)
                metrics.latencies.append(microseconds(since: started))
                metrics.count(predicted: result.verdicts.contains(where: isInjection), actual: isAttack, id: id)
            }
            return metrics
        }
        let scanner = isPassageSet ? "retrieved-content injection" : "input injection"
        var rows = [Row(dataset: name, scanner: scanner, half: half, metrics: measure(records.map { ($0.text, $0.label == 1, $0.id) }))]
        let benign = records.filter { $0.label == 0 }
        if isPassageSet, !benign.isEmpty {
            var planted: [(String, Bool, String)] = benign.map { ($0.text, false, $0.id) }
            for record in records where record.label == 1 {
                let host = benign[Int(PhraseMatcher.hash(Array(record.id.unicodeScalars)[...]) % UInt64(benign.count))]
                planted.append((plant(record.text, in: host.text), true, record.id))
            }
            rows.append(Row(dataset: name + " (attack planted in e-mail)", scanner: scanner, half: half, metrics: measure(planted)))
        }
        return rows
    }

    /// Inserts `attack` as its own paragraph at the sentence boundary nearest the middle of `host`.
    static func plant(_ attack: String, in host: String) -> String {
        let characters = Array(host)
        let middle = characters.count / 2
        var cut = middle
        while cut < characters.count, characters[cut] != "." && characters[cut] != "\n" { cut += 1 }
        cut = min(characters.count, cut + 1)
        return String(characters[..<cut]) + "\n\n" + attack + "\n\n" + String(characters[cut...])
    }

    static func microseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
    }
}
