/// Access list, classification and optional title of one document.
public struct DocumentPolicy: Sendable, Equatable {
    public var accessList: AccessList
    public var classification: Classification
    /// Overrides the title found in the file (first heading, else the file name without extension).
    public var title: String?

    public init(accessList: AccessList, classification: Classification, title: String? = nil) {
        self.accessList = accessList
        self.classification = classification
        self.title = title
    }
}

/// The policies for the files of one corpus folder.
///
/// Keys are paths relative to the folder with `/` separators
/// (`handbook/leave.pdf`). A file without an entry gets `defaultPolicy`;
/// with no default it is rejected, so a forgotten entry never makes a
/// document readable by accident.
public struct Manifest: Sendable {
    public var entries: [String: DocumentPolicy]
    public var defaultPolicy: DocumentPolicy?
    /// Relative paths that directory ingestion skips with a notice, such as
    /// the manifest file when it sits in the corpus folder.
    public var ignoredPaths: Set<String>

    public init(entries: [String: DocumentPolicy], defaultPolicy: DocumentPolicy? = nil, ignoredPaths: Set<String> = []) {
        self.entries = entries
        self.defaultPolicy = defaultPolicy
        self.ignoredPaths = ignoredPaths
    }

    /// Returns the entry for `path`, else the default policy.
    /// - Throws: `manifest_entry_missing` when there is neither.
    public func policy(forRelativePath path: String) throws -> DocumentPolicy {
        if let policy = entries[path] ?? defaultPolicy {
            return policy
        }
        throw DataError(
            .manifestEntryMissing,
            "the manifest has no entry for \(path) and no default policy; add an entry for it or set a default policy"
        )
    }
}
