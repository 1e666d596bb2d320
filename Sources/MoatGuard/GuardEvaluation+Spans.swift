import Foundation

extension GuardEvaluation {
    /// Measures span sets. A gold span counts as found when a verdict of its
    /// rule overlaps it, and a verdict that overlaps no gold span of its rule
    /// is a false positive. True negatives are not defined for spans, so the
    /// false-positive rate is reported in a row of its own, over the records
    /// that contain no personal data.
    static func personalData(_ name: String, _ records: [GuardDataset.Record], half: Half, policy: GuardPolicy) -> [Row] {
        let guardian = InputGuard(policy: policy)
        var perRule: [String: GuardMetrics] = [:]
        var structured = GuardMetrics()
        var cleanRecords = GuardMetrics()

        for record in records {
            let started = ContinuousClock.now
            let result = guardian.scan(record.text)
            let elapsed = microseconds(since: started)
            structured.latencies.append(elapsed)
            let predictions = result.verdicts.filter { $0.ruleID.hasPrefix("pii.") && $0.span != nil }
            let gold = record.spans.compactMap { span in personalDataRules[span.type].map { (rule: $0, range: span.range) } }

            for span in gold {
                let found = predictions.contains { $0.ruleID == span.rule && $0.span!.overlaps(span.range) }
                perRule[span.rule, default: GuardMetrics()].count(predicted: found, actual: true, id: record.id)
                if structuredRules.contains(span.rule) { structured.count(predicted: found, actual: true, id: record.id) }
            }
            for prediction in predictions {
                let matches = gold.contains { $0.rule == prediction.ruleID && $0.range.overlaps(prediction.span!) }
                guard !matches else { continue }
                perRule[prediction.ruleID, default: GuardMetrics()].count(predicted: true, actual: false, id: record.id)
                if structuredRules.contains(prediction.ruleID) { structured.count(predicted: true, actual: false, id: record.id) }
            }
            if gold.isEmpty {
                cleanRecords.count(predicted: predictions.contains { structuredRules.contains($0.ruleID) }, actual: false, id: record.id)
            }
        }
        structured.definesNegatives = false
        var rows = [
            Row(dataset: name, scanner: "structured personal data", half: half, metrics: structured),
            Row(dataset: name, scanner: "structured personal data, records without it", half: half, metrics: cleanRecords),
        ]
        for rule in perRule.keys.sorted() {
            var metrics = perRule[rule]!
            metrics.definesNegatives = false
            rows.append(Row(dataset: name, scanner: rule, half: half, metrics: metrics))
        }
        return rows
    }

    /// Measures secret line sets. The lines of each file are joined back into
    /// the file and scanned whole, as a pasted file would be. A line counts as
    /// predicted when a secret verdict overlaps it.
    static func secrets(_ name: String, _ records: [GuardDataset.Record], half: Half, policy: GuardPolicy) -> [Row] {
        let guardian = InputGuard(policy: policy)
        var metrics = GuardMetrics()
        let files = Dictionary(grouping: records, by: \.file)
        for file in files.keys.sorted() {
            let lines = files[file]!.sorted { $0.lineNumber < $1.lineNumber }
            var offsets: [Range<Int>] = []
            var position = 0
            for line in lines {
                let length = line.text.unicodeScalars.count
                offsets.append(position..<(position + length))
                position += length + 1
            }
            let content = lines.map(\.text).joined(separator: "\n")
            let started = ContinuousClock.now
            let result = guardian.scan(content)
            metrics.latencies.append(microseconds(since: started))
            let spans = result.verdicts.filter { $0.ruleID.hasPrefix("secret.") }.compactMap(\.span)
            for (line, range) in zip(lines, offsets) {
                let predicted = spans.contains { $0.overlaps(range) }
                metrics.count(predicted: predicted, actual: line.label == 1, id: line.id)
            }
        }
        return [Row(dataset: name, scanner: "secrets (per line)", half: half, metrics: metrics)]
    }
}
