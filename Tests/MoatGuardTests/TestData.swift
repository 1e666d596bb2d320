import Foundation
import MoatTestSupport

/// Locates the public evaluation sets kept outside the repository: the
/// `MOAT_TESTDATA` environment variable, or `../shared/testdata` next to the
/// package root found by walking up from this file.
enum TestData {
    static let directory: URL = TestLocations.sharedTestData

    static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// The demo corpus shipped with `moat up`, used as a benign document set.
    static let demoCorpus: URL = TestLocations.packageRoot.appendingPathComponent("Sources/MoatLauncher/Demo/corpus", isDirectory: true)
}
