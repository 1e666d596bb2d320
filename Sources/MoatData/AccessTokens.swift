/// The FTS5 tokens that encode who may read a chunk.
///
/// Each chunk row carries them in the `acl` column, and every search ANDs
/// the reader's tokens into its MATCH expression, so the filter runs inside
/// the full-text query before ranking.
///
/// - everyone authenticated: `e0`
/// - group: `g` + lower-case hex of the UTF-8 name + `0`
/// - user: `u` + lower-case hex of the UTF-8 user id + `0`
///
/// Hex keeps any name, including one that looks like FTS5 syntax, to
/// characters the `unicode61` tokenizer keeps inside one token. The final
/// digit keeps the `porter` stemmer from shortening the token, because
/// every Porter rule needs the word to end in a letter, so two different
/// names can never stem to the same token.
enum AccessTokens {
    static let everyone = "e0"

    static func group(_ name: String) -> String {
        "g" + hex(name) + "0"
    }

    static func user(_ id: String) -> String {
        "u" + hex(id) + "0"
    }

    /// Returns the `acl` column text for a document with `accessList`.
    static func indexed(_ accessList: AccessList) -> String {
        var tokens: [String] = []
        if accessList.everyoneAuthenticated {
            tokens.append(everyone)
        }
        tokens += accessList.groups.map(group)
        tokens += accessList.users.map(user)
        return tokens.joined(separator: " ")
    }

    /// Returns every `acl` token that grants `scope` access. The list is never
    /// empty, because every reader is authenticated and has a user id.
    static func granted(to scope: ReaderScope) -> [String] {
        [everyone, user(scope.userID)] + scope.effectiveGroups.map(group)
    }

    private static func hex(_ text: String) -> String {
        let digits = Array("0123456789abcdef")
        var result = ""
        result.reserveCapacity(text.utf8.count * 2)
        for byte in text.utf8 {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0F)])
        }
        return result
    }
}
