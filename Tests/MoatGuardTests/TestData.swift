import Foundation

/// Locates the public evaluation sets kept outside the repository: the
/// `MOAT_TESTDATA` environment variable, or `../shared/testdata` next to the
/// package root found by walking up from this file.
enum TestData {
    static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["MOAT_TESTDATA"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        var candidate = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while candidate.path != "/" {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path) {
                return candidate.deletingLastPathComponent().appendingPathComponent("shared/testdata", isDirectory: true)
            }
            candidate.deleteLastPathComponent()
        }
        preconditionFailure("no Package.swift above \(#filePath); set MOAT_TESTDATA")
    }()

    static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// The demo corpus shipped with `moat up`, used as a benign document set.
    static let demoCorpus: URL = {
        var candidate = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while candidate.path != "/", !FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path) {
            candidate.deleteLastPathComponent()
        }
        return candidate.appendingPathComponent("Sources/MoatLauncher/Demo/corpus", isDirectory: true)
    }()
}
