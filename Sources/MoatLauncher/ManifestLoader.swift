import Foundation
import MoatConfig
import MoatData
import MoatDevIdP
import MoatTOML

/// Reads a corpus manifest (TOML) into a ``Manifest``.
///
/// Each `[[documents]]` entry has `path`, `title`, `classification` and the
/// readers: `everyone = true`, or `groups` and/or `users`. Group names are
/// resolved to group object ids and user names (`user:alice`) to `tid:oid`
/// through the directory, so the store keeps the ids that tokens carry.
/// Entries may also use ids directly: a group GUID, or a user as `tid:oid`.
/// A top-level `ignore = ["LICENSE.md"]` lists files of the folder that are not documents.
public enum ManifestLoader {
    /// Files in a corpus folder that are never ingested.
    public static let ignoredFileNames: Set<String> = ["manifest.toml", "QUESTIONS.md"]

    public static func load(contentsOf url: URL, directory: Directory?) throws -> Manifest {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read manifest \(url.path): \(error.localizedDescription)")
        }
        do {
            return try parse(text, directory: directory)
        } catch let error as TOMLError {
            throw ConfigurationError("manifest \(url.path): \(error)")
        } catch let error as ConfigurationError {
            throw ConfigurationError("manifest \(url.path): \(error.reason)")
        }
    }

    public static func parse(_ text: String, directory: Directory?) throws -> Manifest {
        let root = TOMLReader(table: try TOMLParser.parse(text))
        try root.rejectUnknownKeys(["documents", "default", "ignore"])
        var entries: [String: DocumentPolicy] = [:]
        for entry in try root.tables("documents") {
            try entry.rejectUnknownKeys(["path", "title", "classification", "everyone", "groups", "users"])
            let path = try entry.string("path")
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw ConfigurationError("\(entry.keyPath("path")) = \"\(path)\" must be relative to the corpus folder, without ..")
            }
            guard entries[path] == nil else {
                throw ConfigurationError("\(entry.keyPath("path")) = \"\(path)\" has a second entry; keep one per document")
            }
            entries[path] = try policy(entry, directory: directory)
        }
        let defaultPolicy = try root.optionalTable("default").map { try policy($0, directory: directory, requireTitle: false) }
        let ignored = Set(try root.strings("ignore", default: []))
        return Manifest(entries: entries, defaultPolicy: defaultPolicy, ignoredPaths: ignoredFileNames.union(ignored))
    }

    private static func policy(_ entry: TOMLReader, directory: Directory?, requireTitle: Bool = true) throws -> DocumentPolicy {
        let classificationName = try entry.string("classification")
        guard let classification = Classification(rawValue: classificationName) else {
            throw ConfigurationError(
                "\(entry.keyPath("classification")) = \"\(classificationName)\" is not one of public, internal, confidential, restricted"
            )
        }
        let everyone = try entry.optionalBool("everyone") ?? false
        let groups = try entry.strings("groups", default: []).map { try resolveGroup($0, directory: directory, entry: entry) }
        let users = try entry.strings("users", default: []).map { try resolveUser($0, directory: directory, entry: entry) }
        if everyone, !(groups.isEmpty && users.isEmpty) {
            throw ConfigurationError("\(entry.path): everyone = true cannot be combined with groups or users")
        }
        guard everyone || !groups.isEmpty || !users.isEmpty else {
            throw ConfigurationError("\(entry.path): no readers; set everyone = true, groups or users")
        }
        let title = requireTitle ? try entry.string("title") : try entry.optionalString("title")
        return DocumentPolicy(
            accessList: AccessList(everyoneAuthenticated: everyone, groups: groups, users: users),
            classification: classification,
            title: title
        )
    }

    private static func resolveGroup(_ name: String, directory: Directory?, entry: TOMLReader) throws -> String {
        if UUID(uuidString: name) != nil { return name.lowercased() }
        guard let group = directory?.group(named: name) else {
            throw ConfigurationError("\(entry.keyPath("groups")): group \"\(name)\" is not in the directory; use its name there or its object id")
        }
        return group.objectID
    }

    private static func resolveUser(_ name: String, directory: Directory?, entry: TOMLReader) throws -> String {
        if name.hasPrefix("user:") {
            let short = String(name.dropFirst(5))
            guard let directory, let user = directory.user(signInName: short) else {
                throw ConfigurationError("\(entry.keyPath("users")): user \"\(short)\" is not in the directory")
            }
            return "\(directory.tenant.id):\(user.objectID)"
        }
        let parts = name.split(separator: ":")
        guard parts.count == 2, UUID(uuidString: String(parts[0])) != nil, UUID(uuidString: String(parts[1])) != nil else {
            throw ConfigurationError("\(entry.keyPath("users")): \"\(name)\" is neither user:NAME nor TENANT_ID:OBJECT_ID")
        }
        return name.lowercased()
    }
}
