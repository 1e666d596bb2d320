import Foundation
import MoatCore

/// Lists the files of a corpus folder with their manifest keys.
enum CorpusFolder {
    struct File {
        var url: URL
        /// Path relative to the folder, with `/` separators.
        var relativePath: String
    }

    /// Regular files under `directory`, recursively, sorted by relative path.
    /// Hidden files, hidden folders, symbolic links and `skipping` are left out with a notice.
    static func files(in directory: URL, skipping ignored: Set<String>, logger: Logger) throws -> [File] {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError(.invalidPath, "the corpus folder \(directory.path) does not exist or is not a folder")
        }
        guard let enumerator = FileManager.default.enumerator(
            at: root,
            includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
            options: [.skipsHiddenFiles]
        ) else {
            throw DataError(.extractionFailed, "cannot list the corpus folder \(root.path); check its permissions")
        }

        var files: [File] = []
        let rootComponents = root.pathComponents
        for case let url as URL in enumerator {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            let relativePath = url.standardizedFileURL.pathComponents.dropFirst(rootComponents.count).joined(separator: "/")
            if values?.isSymbolicLink == true {
                logger.notice("corpus entry skipped: symbolic link", metadata: ["moat.data.path": relativePath])
                continue
            }
            guard values?.isRegularFile == true else { continue }
            if ignored.contains(relativePath) {
                logger.notice("corpus entry skipped: ignored by the manifest", metadata: ["moat.data.path": relativePath])
                continue
            }
            files.append(File(url: url, relativePath: relativePath))
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    /// Checks that `path` is relative, non-empty and stays inside the corpus folder.
    static func validatedRelativePath(_ path: String) throws -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let invalid = path.isEmpty || path.hasPrefix("/") || path.contains("\\")
            || components.contains { $0.isEmpty || $0 == "." || $0 == ".." }
        if invalid {
            throw DataError(.invalidPath, "\(path) is not a valid relative path; use a path inside the corpus folder with / separators, such as docs/handbook.pdf")
        }
        return path
    }
}
