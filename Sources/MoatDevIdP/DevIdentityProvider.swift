import Foundation
import MoatCore
import MoatCrypto
import MoatHTTP
import MoatJOSE
import MoatJSON

/// `moat idp`: a development OpenID provider with Entra ID's endpoint layout
/// and token shapes.
///
/// Endpoints, under `/{tenant id}` for each tenant of the directory and under
/// `/organizations`, whose discovery document names the issuer template
/// `{base}/{tenantid}/v2.0` as Entra ID's does. Tokens always carry the
/// signed-in user's own tenant in `tid` and `iss`:
/// - `GET /v2.0/.well-known/openid-configuration` (discovery)
/// - `GET /discovery/v2.0/keys` (JWKS)
/// - `GET|POST /oauth2/v2.0/authorize` (login page, authorization code with PKCE S256 only)
/// - `POST /oauth2/v2.0/token` (authorization_code, refresh_token,
///   client_credentials, on-behalf-of), with client secrets or signed client
///   assertions (`private_key_jwt`, as Entra ID's certificate credentials)
/// - `GET /oauth2/v2.0/logout` (RP-initiated logout to a registered URI)
///
/// And, outside the tenant path, Microsoft Graph's
/// `POST /v1.0/users/{id}/getMemberObjects` for resolving group overages.
public final class DevIdentityProvider: HTTPResponder {
    /// The users, groups and applications the provider serves.
    public let directory: Directory
    let minter: TokenMinter
    let keyRing: SigningKeyRing
    /// Seconds a rotated key is published in the JWKS before it signs tokens.
    public let signingKeyLead: TimeInterval
    let state: IdentityProviderState
    let clock: any WallClock
    let logger: Logger
    private let baseURLValue: LockedValue<String>
    private let routes = LockedValue(Router())
    /// The key file followed for rotations; nil until ``followSigningKeyFile(at:)``.
    let keyFileWatch = LockedValue<SigningKeyFileWatch?>(nil)

    /// - Parameters:
    ///   - baseURL: scheme, host and port the provider is reached at, without a trailing slash; settable later with ``setBaseURL(_:)`` once the port is known.
    ///   - tokenLifetime: seconds; default 3600.
    ///   - signingKeyLead: seconds a rotated key is published before it signs; default 60. It must be
    ///     longer than the relying parties' refetch cooldown for an unknown `kid` (30 s in `KeySetCache`),
    ///     or they reject the first tokens signed with the new key.
    ///   - refreshGrants: where refresh tokens are kept across restarts; default nil, in memory only.
    public init(
        directory: Directory, signer: JWTSigner, baseURL: String, tokenLifetime: TimeInterval = 3600,
        signingKeyLead: TimeInterval = 60, refreshGrants: RefreshGrantFile? = nil, clock: any WallClock = SystemClock(),
        logger: Logger = .disabled
    ) {
        self.directory = directory
        self.keyRing = SigningKeyRing(current: signer, clock: clock)
        self.signingKeyLead = signingKeyLead
        self.minter = TokenMinter(keys: keyRing, directory: directory, lifetime: tokenLifetime)
        self.state = IdentityProviderState(clock: clock, refreshGrantFile: refreshGrants)
        self.clock = clock
        self.logger = logger
        self.baseURLValue = LockedValue(baseURL)
        let router = makeRouter()
        routes.withLock { $0 = router }
    }

    public func setBaseURL(_ baseURL: String) {
        baseURLValue.withLock { $0 = baseURL }
    }

    /// Publishes `signer` in the JWKS at once and makes it sign every new
    /// token after `lead` seconds. The previous key keeps signing during the
    /// lead and stays in the JWKS for `overlap` seconds after the switch, so
    /// tokens it signed keep validating.
    ///
    /// - Parameters:
    ///   - lead: seconds; the default, nil, means ``signingKeyLead``. Zero switches at once.
    ///   - overlap: seconds. The default, nil, means the token lifetime
    ///     plus five minutes. That is the longest a token signed by the old key
    ///     stays valid under a relying party's usual clock leeway.
    public func rotateSigningKey(to signer: JWTSigner, lead: TimeInterval? = nil, overlap: TimeInterval? = nil) {
        let lead = lead ?? signingKeyLead
        keyRing.rotate(to: signer, lead: lead, overlap: overlap ?? defaultRotationOverlap)
        logger.info("signing key rotated", metadata: ["moat.idp.kid": signer.keyID, "moat.idp.lead_seconds": "\(lead)"])
    }

    public var baseURL: String { baseURLValue.current }
    public var issuer: String { minter.issuer(baseURL: baseURL) }
    /// The issuer of v1.0 access tokens, `{base}/{tenant id}/`.
    public var v1Issuer: String { minter.v1Issuer(baseURL: baseURL) }
    var tokenEndpoint: String { tokenEndpoint(for: .tenant(directory.tenant.id)) }

    /// Every authority the provider serves: each tenant, then `organizations`.
    var authorities: [SignInAuthority] { directory.tenants.map { .tenant($0.id) } + [.organizations] }

    func tokenEndpoint(for authority: SignInAuthority) -> String {
        baseURL + "/\(authority.pathSegment)/oauth2/v2.0/token"
    }

    func authorizePath(for authority: SignInAuthority) -> String {
        "/\(authority.pathSegment)/oauth2/v2.0/authorize"
    }

    /// Returns the issuer that the authority's discovery document names: a
    /// tenant's own, or the `{tenantid}` template for `organizations`.
    func issuer(for authority: SignInAuthority) -> String {
        switch authority {
        case .tenant(let id): minter.issuer(baseURL: baseURL, tenantID: id)
        case .organizations: minter.issuer(baseURL: baseURL, tenantID: IssuerPattern.tenantPlaceholder)
        }
    }

    var isSecure: Bool { baseURL.hasPrefix("https://") }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        reloadSigningKeyIfChanged()
        return await routes.current.respond(to: request)
    }

    private func makeRouter() -> Router {
        var router = Router()
        for authority in authorities {
            let prefix = "/\(authority.pathSegment)"
            router.get("\(prefix)/v2.0/.well-known/openid-configuration") { [unowned self] _ in discovery(authority) }
            router.get("\(prefix)/discovery/v2.0/keys") { [unowned self] _ in keys() }
            router.get("\(prefix)/oauth2/v2.0/authorize") { [unowned self] request in await showLogin(request, authority: authority) }
            router.post("\(prefix)/oauth2/v2.0/authorize") { [unowned self] request in await submitLogin(request, authority: authority) }
            router.post("\(prefix)/oauth2/v2.0/token") { [unowned self] request in await token(request) }
            router.get("\(prefix)/oauth2/v2.0/logout") { [unowned self] request in logout(request) }
        }
        router.post("/v1.0/users/:id/getMemberObjects") { [unowned self] request in getMemberObjects(request) }
        router.get("/healthz") { _ in .json(["status": "ok"]) }
        return router
    }

    func discovery(_ authority: SignInAuthority) -> HTTPResponse {
        let base = baseURL + "/\(authority.pathSegment)"
        let document: JSONObject = [
            "issuer": .string(issuer(for: authority)),
            "authorization_endpoint": .string("\(base)/oauth2/v2.0/authorize"),
            "token_endpoint": .string("\(base)/oauth2/v2.0/token"),
            "jwks_uri": .string("\(base)/discovery/v2.0/keys"),
            "end_session_endpoint": .string("\(base)/oauth2/v2.0/logout"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": [
                "authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": .array(ClientAssertionVerifier.algorithms.map { .string($0.rawValue) }),
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "authorization_response_iss_parameter_supported": true,
            "tenant_region_scope": "WW",
        ]
        return .json(data: JSONValue.object(document).serialized())
    }

    func keys() -> HTTPResponse {
        let keySet = try? JSONWebKeySet(keys: keyRing.publishedKeys())
        var response = HTTPResponse.json(data: keySet?.serialized() ?? Data("{\"keys\":[]}".utf8))
        response.headers.set("Cache-Control", "public, max-age=300")
        return response
    }
}
