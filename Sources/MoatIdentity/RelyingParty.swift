import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatJOSE
import MoatJSON

/// Settings of an OpenID Connect relying party (a confidential web client).
public struct RelyingPartyConfiguration: Sendable {
    /// The issuer: exact, or Entra ID's multi-tenant template
    /// `https://login.microsoftonline.com/{tenantid}/v2.0` of the `organizations`
    /// and `common` authorities, in which the ID token's `tid` replaces
    /// `{tenantid}` before the exact comparison (see ``IssuerPattern``).
    public var issuer: String
    public var clientID: String
    /// Client secret sent with HTTP Basic authentication (RFC 6749 §2.3.1).
    public var clientSecret: String
    public var redirectURI: String
    /// Scopes requested at sign-in, for example `openid profile offline_access api://moat-api/Chat`.
    public var scopes: [String]
    /// Clock leeway in seconds for ID token time claims. Default 60.
    public var leeway: TimeInterval
    /// Tenant ids (`tid`) whose users may sign in. Default empty: any tenant
    /// for an exact issuer, whose tokens carry only its own tenant, and no
    /// tenant at all for a `{tenantid}` template, so a multi-tenant sign-in
    /// fails closed until the allowed tenants are listed.
    public var allowedTenants: [String]

    public init(
        issuer: String, clientID: String, clientSecret: String, redirectURI: String, scopes: [String], leeway: TimeInterval = 60,
        allowedTenants: [String] = []
    ) {
        self.issuer = issuer
        self.allowedTenants = allowedTenants
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.leeway = leeway
    }
}

/// One sign-in in progress: what the browser must bring back to the callback.
public struct AuthorizationTransaction: Sendable, Codable, Equatable {
    public var state: String
    public var nonce: String
    public var codeVerifier: String
    /// Where to send the user after sign-in; a same-origin path.
    public var returnPath: String
    /// Unix time the transaction started, to expire it.
    public var createdAt: Int64
}

/// The signed-in user as the ID token describes them.
public struct SignedInUser: Sendable, Codable, Equatable {
    public var tenantID: String
    public var objectID: String
    public var name: String?
    public var username: String?
}

/// OpenID Connect authorization code flow with PKCE for a confidential client.
///
/// The `state` binds the callback to the browser that started sign-in (RFC
/// 6749 §10.12), the `nonce` binds the ID token to it (OpenID Connect Core
/// §3.1.2.1), and PKCE S256 binds the code to the token request (RFC 7636).
public struct RelyingParty: Sendable {
    public let configuration: RelyingPartyConfiguration
    private let keys: KeySetCache
    private let client: HTTPClient
    private let clock: any WallClock

    public init(configuration: RelyingPartyConfiguration, keys: KeySetCache, client: HTTPClient = HTTPClient(), clock: any WallClock = SystemClock()) {
        self.configuration = configuration
        self.keys = keys
        self.client = client
        self.clock = clock
    }

    /// Starts a sign-in: returns the authorization URL and the transaction to keep.
    public func startSignIn(returnPath: String) async throws -> (url: URL, transaction: AuthorizationTransaction) {
        let metadata = try await keys.providerMetadata()
        let pkce = PKCE()
        let transaction = AuthorizationTransaction(
            state: SecureRandom.token(),
            nonce: SecureRandom.token(),
            codeVerifier: pkce.verifier,
            returnPath: returnPath,
            createdAt: Int64(clock.now().timeIntervalSince1970)
        )
        let query = FormEncoding.encode([
            ("client_id", configuration.clientID),
            ("response_type", "code"),
            ("redirect_uri", configuration.redirectURI),
            ("response_mode", "query"),
            ("scope", configuration.scopes.joined(separator: " ")),
            ("state", transaction.state),
            ("nonce", transaction.nonce),
            ("code_challenge", pkce.challenge),
            ("code_challenge_method", "S256"),
        ])
        guard let url = URL(string: metadata.authorizationEndpoint + "?" + query) else {
            throw TokenRejection(.discoveryFailed, "authorization_endpoint \(metadata.authorizationEndpoint) is not a valid URL")
        }
        return (url, transaction)
    }

    /// Redeems the authorization code and validates the ID token against the transaction.
    public func completeSignIn(code: String, transaction: AuthorizationTransaction) async throws -> (user: SignedInUser, tokens: TokenResponse) {
        let tokens = try await requestToken([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", configuration.redirectURI),
            ("code_verifier", transaction.codeVerifier),
        ])
        guard let idToken = tokens.idToken else {
            throw TokenRejection(.invalidIDToken, "the token response has no id_token; request the openid scope")
        }
        let user = try await validateIDToken(idToken, nonce: transaction.nonce)
        return (user, tokens)
    }

    /// Exchanges a refresh token for new tokens; the provider rotates the refresh token.
    public func refresh(refreshToken: String) async throws -> TokenResponse {
        try await requestToken([
            ("grant_type", "refresh_token"),
            ("refresh_token", refreshToken),
            ("scope", configuration.scopes.joined(separator: " ")),
        ])
    }

    /// The provider's end-session URL for RP-initiated logout, when it has one.
    public func endSessionURL(idTokenHint: String?, postLogoutRedirectURI: String) async throws -> URL? {
        let metadata = try await keys.providerMetadata()
        guard let endpoint = metadata.endSessionEndpoint else { return nil }
        var pairs = [("client_id", configuration.clientID), ("post_logout_redirect_uri", postLogoutRedirectURI)]
        if let idTokenHint { pairs.append(("id_token_hint", idTokenHint)) }
        return URL(string: endpoint + "?" + FormEncoding.encode(pairs))
    }

    /// Validates an ID token (OpenID Connect Core §3.1.3.7): signature, `iss`,
    /// `aud` containing this client (and `azp` equal to it when there are
    /// several audiences), time claims, the `nonce` of this transaction, and
    /// the `tid` against ``RelyingPartyConfiguration/allowedTenants``.
    ///
    /// For a `{tenantid}` issuer template, `iss` must equal the template with
    /// the token's own `tid` substituted, as ``AccessTokenValidator`` checks it.
    ///
    /// - Throws: ``TokenRejection`` with `keys_unavailable`, `invalid_id_token`,
    ///   `nonce_mismatch`, `missing_identity` or `tenant_not_allowed`.
    public func validateIDToken(_ idToken: String, nonce: String) async throws -> SignedInUser {
        let policy = JWTValidationPolicy(
            issuer: configuration.issuer, audiences: [configuration.clientID], allowedAlgorithms: [.rs256],
            leeway: configuration.leeway, maxTokenAge: 3600, requiredClaims: ["iat", "sub"]
        )
        let verified = try await keys.verify(idToken, policy: policy, now: clock.now(), rejection: .invalidIDToken)
        if verified.audiences.count > 1, verified.string("azp") != configuration.clientID {
            throw TokenRejection(.invalidIDToken, "the ID token has several audiences and azp is not this client")
        }
        guard let tokenNonce = verified.string("nonce"), ConstantTime.equals(tokenNonce, nonce) else {
            throw TokenRejection(.nonceMismatch, "the ID token's nonce does not match this sign-in; start sign-in again")
        }
        guard let tenantID = verified.string("tid"), let objectID = verified.string("oid") else {
            throw TokenRejection(.missingIdentity, "the ID token lacks a tid or oid claim")
        }
        try checkTenant(tenantID)
        return SignedInUser(
            tenantID: tenantID, objectID: objectID,
            name: verified.string("name"), username: verified.string("preferred_username")
        )
    }

    /// Admits `tenantID` when it is on the allow-list, or, with no list, when the issuer is exact.
    private func checkTenant(_ tenantID: String) throws(TokenRejection) {
        let allowed = configuration.allowedTenants
        if allowed.isEmpty, !IssuerPattern(configuration.issuer).isTenantTemplate { return }
        guard allowed.contains(where: { $0.lowercased() == tenantID.lowercased() }) else {
            let fix = allowed.isEmpty
                ? "the issuer is a multi-tenant template, so list the tenants whose users may sign in"
                : "add the tenant to the allowed tenants to let its users sign in"
            throw TokenRejection(.tenantNotAllowed, "tenant \(tenantID.prefix(64)) is not allowed to sign in to this application; \(fix)")
        }
    }

    private func requestToken(_ parameters: [(String, String)]) async throws -> TokenResponse {
        let metadata = try await keys.providerMetadata()
        guard let url = URL(string: metadata.tokenEndpoint) else {
            throw TokenRejection(.discoveryFailed, "token_endpoint \(metadata.tokenEndpoint) is not a valid URL")
        }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        headers.add("Accept", "application/json")
        let credentials = FormEncoding.encodeComponent(configuration.clientID) + ":" + FormEncoding.encodeComponent(configuration.clientSecret)
        headers.add("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString())
        let request = HTTPClientRequest(
            method: "POST", url: url, headers: headers, body: Data(FormEncoding.encode(parameters).utf8),
            timeout: 10, maxResponseBytes: 256 * 1024
        )
        let response = try await client.send(request)
        guard response.status == 200 else {
            let oauthError = try? StrictJSON.decode(OAuthErrorResponse.self, from: response.body)
            throw TokenRejection(
                .tokenRequestFailed,
                "the token endpoint returned HTTP \(response.status) \(oauthError?.error ?? "")".trimmingCharacters(in: .whitespaces)
            )
        }
        do {
            return try StrictJSON.decode(TokenResponse.self, from: response.body)
        } catch {
            throw TokenRejection(.tokenRequestFailed, "the token endpoint's response is not a valid token response")
        }
    }
}
