import Foundation
import MoatJSON

/// A labelled evaluation set in one of the three JSON Lines layouts that
/// `moat guard eval` reads:
/// - classification: `{"text", "label"}` with 1 for an attack;
/// - personal-data spans: `{"text", "spans": [{"type", "start", "end"}], "template_id"}`
///   with Unicode scalar offsets;
/// - secret lines: `{"text", "label", "file", "line_num"}`, one record per line of a file.
public struct GuardDataset: Sendable {
    public enum Layout: String, Sendable {
        case classification
        case personalDataSpans = "personal-data-spans"
        case secretLines = "secret-lines"
    }

    public struct Record: Sendable {
        public var id: String
        public var text: String
        public var label: Int
        /// The key that decides the tuning or checking half (see ``GuardEvaluation/Half``).
        public var splitKey: String
        public var spans: [(type: String, range: Range<Int>)] = []
        public var file: String = ""
        public var lineNumber: Int = 0
    }

    public var name: String
    public var layout: Layout
    public var records: [Record]

    /// Why a dataset could not be read.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        /// `unreadable_file` or `invalid_record`.
        public let code: String
        public let reason: String
        public var description: String { "\(code): \(reason)" }
    }

    /// Reads a JSON Lines file; the layout follows from the first record's members.
    ///
    /// - Throws: ``LoadError`` when the file cannot be read or a line is not a
    ///   JSON object with a string `text`.
    public static func load(contentsOf url: URL) throws(LoadError) -> GuardDataset {
        let content: String
        do {
            content = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw LoadError(code: "unreadable_file", reason: "cannot read \(url.path): \(error.localizedDescription); pass a JSON Lines file")
        }
        var records: [Record] = []
        var layout = Layout.classification
        for (number, line) in content.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let value: JSONValue
            do {
                value = try JSONValue.parse(Data(line.utf8))
            } catch {
                throw LoadError(code: "invalid_record", reason: "line \(number + 1) of \(url.lastPathComponent) is not JSON: \(error)")
            }
            guard let text = value["text"]?.stringValue else {
                throw LoadError(code: "invalid_record", reason: "line \(number + 1) of \(url.lastPathComponent) has no string member \"text\"")
            }
            if number == 0 {
                layout = value["spans"] != nil ? .personalDataSpans : (value["line_num"] != nil ? .secretLines : .classification)
            }
            var record = Record(
                id: value["id"]?.stringValue ?? "\(number + 1)", text: text,
                label: Int(value["label"]?.int64Value ?? 0), splitKey: text
            )
            switch layout {
            case .classification:
                break
            case .personalDataSpans:
                record.splitKey = "template:\(value["template_id"]?.int64Value ?? -1)"
                record.spans = (value["spans"]?.arrayValue ?? []).compactMap { span in
                    guard let type = span["type"]?.stringValue, let start = span["start"]?.int64Value,
                          let end = span["end"]?.int64Value, start <= end else { return nil }
                    return (type, Int(start)..<Int(end))
                }
            case .secretLines:
                record.file = value["file"]?.stringValue ?? ""
                record.lineNumber = Int(value["line_num"]?.int64Value ?? 0)
                record.splitKey = record.file
            }
            records.append(record)
        }
        let name = url.deletingPathExtension().lastPathComponent.replacingOccurrences(of: ".dev", with: "")
        return GuardDataset(name: name, layout: layout, records: records)
    }
}
