import Foundation
import MoatCore
import MoatCrypto

/// A sign-in shown at the login page and not yet completed.
struct LoginTransaction: Sendable {
    var clientID: String
    var redirectURI: String
    var scopes: [String]
    var state: String?
    var nonce: String?
    var codeChallenge: String
    /// Anti-CSRF token that the login form must post back; also set in a cookie.
    var csrfToken: String
    var createdAt: Date
    /// The authority whose login page started the sign-in. Only its users may complete it.
    var authority: SignInAuthority
    var failedAttempts: Int = 0
}

/// An issued authorization code: single use, short-lived, bound to the client,
/// the redirect URI and the PKCE challenge (RFC 6749 §4.1.2, RFC 7636 §4.4).
struct AuthorizationCodeGrant: Sendable {
    var clientID: String
    var redirectURI: String
    var scopes: [String]
    var nonce: String?
    var codeChallenge: String
    var userObjectID: String
    var issuedAt: Date
    var redeemed = false
    /// Refresh-token family created when the code was redeemed; revoked if the code is replayed.
    var familyID: String?
}

/// A refresh token. Each use rotates it; presenting a rotated token again
/// revokes its whole family (RFC 9700 §4.14.2).
struct RefreshGrant: Sendable {
    var familyID: String
    var clientID: String
    var scopes: [String]
    var userObjectID: String
    var issuedAt: Date
    var rotated = false
}

/// The identity provider's state. Codes and refresh tokens are stored as
/// SHA-256 digests, so a memory dump does not reveal usable values. Refresh
/// tokens and revoked families live in a ``RefreshGrantFile`` when one is
/// given, so that they survive a restart, and in memory otherwise.
actor IdentityProviderState {
    private var logins: [String: LoginTransaction] = [:]
    private var codes: [Data: AuthorizationCodeGrant] = [:]
    private var refreshTokens: [Data: RefreshGrant] = [:]
    private var revokedFamilies: Set<String> = []
    /// Client assertion ids already used, with the time their assertion expires (RFC 7523 §3 item 7).
    private var usedAssertionIDs: [String: Date] = [:]
    private let clock: any WallClock
    private let refreshGrantFile: RefreshGrantFile?
    /// When the file's expired grants were last deleted.
    private var lastFilePurge = Date.distantPast

    /// Login transactions expire after 10 minutes, codes after 60 seconds, refresh tokens after 24 hours.
    let loginLifetime: TimeInterval = 600
    let codeLifetime: TimeInterval = 60
    let refreshLifetime: TimeInterval = 86_400

    init(clock: any WallClock, refreshGrantFile: RefreshGrantFile? = nil) {
        self.clock = clock
        self.refreshGrantFile = refreshGrantFile
    }

    func startLogin(_ transaction: LoginTransaction) -> String {
        purgeExpired()
        let id = SecureRandom.token()
        logins[id] = transaction
        return id
    }

    func login(id: String) -> LoginTransaction? {
        guard let transaction = logins[id], clock.now().timeIntervalSince(transaction.createdAt) < loginLifetime else {
            return nil
        }
        return transaction
    }

    /// Counts a failed password; after 5 failures the transaction is dropped.
    func recordFailedLogin(id: String) {
        guard var transaction = logins[id] else { return }
        transaction.failedAttempts += 1
        logins[id] = transaction.failedAttempts >= 5 ? nil : transaction
    }

    func finishLogin(id: String) {
        logins[id] = nil
    }

    func issueCode(_ grant: AuthorizationCodeGrant) -> String {
        let code = SecureRandom.token()
        codes[Digest.sha256(Data(code.utf8))] = grant
        return code
    }

    enum CodeRedemption {
        case valid(AuthorizationCodeGrant)
        case unknownOrExpired
        /// The code was used before: its refresh-token family has now been revoked.
        case replayed
    }

    /// Marks the code redeemed. A second redemption revokes what the first one issued (RFC 6749 §4.1.2).
    ///
    /// - Throws: ``SQLiteError`` when the revocation cannot be stored.
    func redeemCode(_ code: String, familyID: String) throws -> CodeRedemption {
        let key = Digest.sha256(Data(code.utf8))
        guard var grant = codes[key] else { return .unknownOrExpired }
        if grant.redeemed {
            if let family = grant.familyID { try revoke(family: family) }
            return .replayed
        }
        guard clock.now().timeIntervalSince(grant.issuedAt) < codeLifetime else {
            codes[key] = nil
            return .unknownOrExpired
        }
        grant.redeemed = true
        grant.familyID = familyID
        codes[key] = grant
        return .valid(grant)
    }

    /// - Throws: ``SQLiteError`` when the grant cannot be stored.
    func issueRefreshToken(_ grant: RefreshGrant) throws -> String {
        let token = SecureRandom.token()
        try store(grant, digest: Digest.sha256(Data(token.utf8)))
        return token
    }

    enum RefreshRedemption {
        case valid(RefreshGrant)
        case invalid
        case reused
    }

    /// - Throws: ``SQLiteError`` when the refresh grant file cannot be read or written.
    func redeemRefreshToken(_ token: String) throws -> RefreshRedemption {
        let key = Digest.sha256(Data(token.utf8))
        guard var grant = try storedGrant(digest: key) else { return .invalid }
        if try isRevoked(family: grant.familyID) { return .invalid }
        if grant.rotated {
            try revoke(family: grant.familyID)
            return .reused
        }
        guard clock.now().timeIntervalSince(grant.issuedAt) < refreshLifetime else { return .invalid }
        grant.rotated = true
        try store(grant, digest: key)
        return .valid(grant)
    }

    private func storedGrant(digest: Data) throws -> RefreshGrant? {
        guard let refreshGrantFile else { return refreshTokens[digest] }
        return try refreshGrantFile.grant(digest: digest)
    }

    private func store(_ grant: RefreshGrant, digest: Data) throws {
        guard let refreshGrantFile else {
            refreshTokens[digest] = grant
            return
        }
        let now = clock.now()
        if now.timeIntervalSince(lastFilePurge) >= 3600 {
            try refreshGrantFile.purge(before: now.addingTimeInterval(-refreshLifetime))
            lastFilePurge = now
        }
        try refreshGrantFile.save(grant, digest: digest)
    }

    private func revoke(family: String) throws {
        revokedFamilies.insert(family)
        try refreshGrantFile?.revoke(family: family, at: clock.now())
    }

    /// Records a client assertion id; false when it was used before and its assertion has not yet expired.
    func useAssertionID(_ id: String, until expiresAt: Date) -> Bool {
        let now = clock.now()
        if usedAssertionIDs.count > 10_000 {
            usedAssertionIDs = usedAssertionIDs.filter { $0.value > now }
        }
        if let known = usedAssertionIDs[id], known > now { return false }
        usedAssertionIDs[id] = expiresAt
        return true
    }

    func isRevoked(family: String) throws -> Bool {
        if revokedFamilies.contains(family) { return true }
        return try refreshGrantFile?.isRevoked(family: family) ?? false
    }

    private func purgeExpired() {
        let now = clock.now()
        logins = logins.filter { now.timeIntervalSince($0.value.createdAt) < loginLifetime }
        codes = codes.filter { now.timeIntervalSince($0.value.issuedAt) < codeLifetime * 10 }
        refreshTokens = refreshTokens.filter { now.timeIntervalSince($0.value.issuedAt) < refreshLifetime }
    }
}
