import Foundation
import MoatConfig

/// A fresh folder under the system temporary directory, removed when the value is released.
final class TemporaryFolder: @unchecked Sendable {
    // @unchecked: `url` is immutable after init.
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("moat-config-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `text` to `name` in this folder and returns the file's path.
    func write(_ text: String, to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }
}

/// Loads `toml` from a temporary moat.toml (no file when nil) with exactly `environment`.
func loadConfiguration(_ toml: String?, environment: [String: String] = [:]) throws -> MoatConfiguration {
    guard let toml else {
        return try MoatConfiguration.load(path: nil, environment: environment)
    }
    let folder = try TemporaryFolder()
    let path = try folder.write(toml, to: "moat.toml")
    return try MoatConfiguration.load(path: path, environment: environment)
}

/// Returns the ``ConfigurationError`` that loading throws, or nil when loading succeeds.
func configurationError(_ toml: String?, environment: [String: String] = [:]) -> ConfigurationError? {
    do {
        _ = try loadConfiguration(toml, environment: environment)
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        return ConfigurationError("unexpected error type \(type(of: error)): \(error)")
    }
}
