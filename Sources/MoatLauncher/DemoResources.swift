import Foundation

/// The demo directory and corpus embedded in the build.
public enum DemoResources {
    static var folder: URL? {
        Bundle.module.url(forResource: "Demo", withExtension: nil)
    }

    public static var directoryFile: URL? { folder?.appendingPathComponent("directory.toml") }
    public static var corpusFolder: URL? { folder?.appendingPathComponent("corpus", isDirectory: true) }
    public static var corpusManifest: URL? { corpusFolder?.appendingPathComponent("manifest.toml") }
}
