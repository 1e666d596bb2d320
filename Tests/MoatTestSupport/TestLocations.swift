import Foundation

/// Where tests find the package and the public test data kept outside it.
public enum TestLocations {
    /// The folder that contains Package.swift, found by walking up from this source file.
    public static let packageRoot: URL = {
        var candidate = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while candidate.path != "/" {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path) {
                return candidate
            }
            candidate.deleteLastPathComponent()
        }
        preconditionFailure("no Package.swift above \(#filePath)")
    }()

    /// The public test data: `MOAT_TESTDATA`, or `shared/testdata` beside the package root.
    public static let sharedTestData: URL = {
        if let override = ProcessInfo.processInfo.environment["MOAT_TESTDATA"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata", isDirectory: true)
    }()
}
