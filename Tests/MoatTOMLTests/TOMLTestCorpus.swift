import Foundation
import MoatTestSupport

/// The toml-test corpus (https://github.com/toml-lang/toml-test), kept
/// outside the repository at `../shared/testdata/toml-test` relative to the
/// package root, or under `$MOAT_TESTDATA/toml-test`.
enum TOMLTestCorpus {
    /// Directory holding `valid/`, `invalid/` and the version file lists.
    static let testsDirectory: URL = testDataDirectory()
        .appendingPathComponent("toml-test")
        .appendingPathComponent("tests")

    /// Paths listed in `files-toml-1.0.0`, relative to `testsDirectory`, or
    /// an empty list when the corpus is missing.
    static let paths: [String] = {
        let list = testsDirectory.appendingPathComponent("files-toml-1.0.0")
        guard let text = try? String(contentsOf: list, encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }()

    /// Names like `valid/array/nested` (no extension) of the valid cases
    /// that TOML 1.0.0 covers.
    static let validCases: [String] = paths
        .filter { $0.hasPrefix("valid/") && $0.hasSuffix(".toml") }
        .map { String($0.dropLast(".toml".count)) }

    /// Names like `invalid/string/bad-escape-1` of the invalid cases that
    /// TOML 1.0.0 covers.
    static let invalidCases: [String] = paths
        .filter { $0.hasPrefix("invalid/") && $0.hasSuffix(".toml") }
        .map { String($0.dropLast(".toml".count)) }

    static func data(_ name: String, extension fileExtension: String) throws -> Data {
        try Data(contentsOf: testsDirectory.appendingPathComponent(name + "." + fileExtension))
    }

    private static func testDataDirectory() -> URL {
        TestLocations.sharedTestData
    }
}
