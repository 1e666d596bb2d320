import Foundation
import MoatTOML
import Testing

/// Runs every TOML 1.0.0 case of the toml-test corpus: valid files must
/// parse to the expected tagged JSON, invalid files must be rejected with a
/// line inside the file.
@Suite("toml-test conformance")
struct TOMLConformanceTests {
    @Test("toml-test corpus is present")
    func corpusIsPresent() {
        #expect(TOMLTestCorpus.validCases.count > 200, "valid cases missing under \(TOMLTestCorpus.testsDirectory.path)")
        #expect(TOMLTestCorpus.invalidCases.count > 400, "invalid cases missing under \(TOMLTestCorpus.testsDirectory.path)")
    }

    @Test("valid file matches expected JSON", arguments: TOMLTestCorpus.validCases)
    func validFile(_ name: String) {
        let failure = Self.checkValid(name)
        #expect(failure == nil, "\(name): \(failure ?? "")")
    }

    @Test("invalid file is rejected", arguments: TOMLTestCorpus.invalidCases)
    func invalidFile(_ name: String) {
        let failure = Self.checkInvalid(name)
        #expect(failure == nil, "\(name): \(failure ?? "")")
    }

    @Test("all 1.0.0 cases pass, with counts printed")
    func summary() {
        let validFailures = TOMLTestCorpus.validCases.compactMap { name in Self.checkValid(name).map { "\(name): \($0)" } }
        let invalidFailures = TOMLTestCorpus.invalidCases.compactMap { name in Self.checkInvalid(name).map { "\(name): \($0)" } }
        let validCount = TOMLTestCorpus.validCases.count
        let invalidCount = TOMLTestCorpus.invalidCases.count
        print("toml-test 1.0.0: valid \(validCount - validFailures.count)/\(validCount) passed, invalid \(invalidCount - invalidFailures.count)/\(invalidCount) passed")

        #expect(validFailures.isEmpty, "valid failures:\n\(validFailures.joined(separator: "\n"))")
        #expect(invalidFailures.isEmpty, "invalid failures:\n\(invalidFailures.joined(separator: "\n"))")
    }

    /// Returns why the valid case `name` fails, or `nil` when it passes.
    static func checkValid(_ name: String) -> String? {
        let input: Data
        let expected: Any
        do {
            input = try TOMLTestCorpus.data(name, extension: "toml")
            expected = try JSONSerialization.jsonObject(with: TOMLTestCorpus.data(name, extension: "json"))
        } catch {
            return "cannot read the test files: \(error)"
        }
        do {
            let table = try TOMLParser.parse(input)
            return TaggedJSONComparison.difference(table, expected)
        } catch {
            return "rejected a valid document: \(error)"
        }
    }

    /// Returns why the invalid case `name` fails, or `nil` when it is
    /// rejected with a line number inside the file.
    static func checkInvalid(_ name: String) -> String? {
        let input: Data
        do {
            input = try TOMLTestCorpus.data(name, extension: "toml")
        } catch {
            return "cannot read the test file: \(error)"
        }
        let lineFeeds = input.filter { $0 == 0x0A }.count
        let lineCount = lineFeeds + (input.last == 0x0A || input.isEmpty ? 0 : 1)
        do {
            let table = try TOMLParser.parse(input)
            return "accepted an invalid document as \(table)"
        } catch {
            guard error.line >= 1, error.line <= lineCount + 1 else {
                return "error line \(error.line) is outside 1...\(lineCount + 1): \(error)"
            }
            guard error.column >= 1 else {
                return "error column \(error.column) is below 1: \(error)"
            }
            return nil
        }
    }
}
