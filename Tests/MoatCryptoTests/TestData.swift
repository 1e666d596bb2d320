import Foundation
import MoatTestSupport

/// Locates the public test vectors kept outside the repository: the
/// `MOAT_TESTDATA` environment variable, or `../shared/testdata` next to the
/// package root found by walking up from this file.
enum TestData {
    static let directory: URL = TestLocations.sharedTestData

    static func wycheproof(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("wycheproof").appendingPathComponent(name))
    }
}

extension Data {
    /// Decodes lowercase or uppercase hex; traps on malformed input because it only reads test vectors.
    init(hex: String) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self.init(bytes)
    }
}
