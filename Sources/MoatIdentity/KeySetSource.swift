import Foundation
import MoatCore
import MoatHTTP
import MoatJOSE
import MoatJSON

/// Where a ``KeySetCache`` gets the issuer's metadata and signing keys.
public protocol KeySetSource: Sendable {
    func fetchMetadata() async throws -> OIDCProviderMetadata
    func fetchKeySet(from metadata: OIDCProviderMetadata) async throws -> JSONWebKeySet
}

/// Fetches discovery and JWKS documents over HTTP, with time and size limits.
///
/// The discovery document's `issuer` must equal the configured issuer exactly
/// (OpenID Connect Discovery 1.0 §4.3), which defeats a mix-up where one
/// provider's metadata names another issuer. For an Entra multi-tenant
/// issuer template the document's `issuer` is the template itself.
public struct HTTPKeySetSource: KeySetSource {
    public let issuer: String
    /// Where the discovery document is; default: the issuer with
    /// `/.well-known/openid-configuration` appended. Entra ID's multi-tenant
    /// documents live at `…/organizations/v2.0/.well-known/openid-configuration`.
    public let discoveryURL: URL?
    /// A pinned key set URL. When set, discovery is skipped: the metadata
    /// names only the issuer and this URL, which suits an API that validates
    /// tokens and never starts a sign-in. Default nil.
    public let jwksURI: URL?
    public var timeout: TimeInterval
    public var maxResponseBytes: Int
    private let client: HTTPClient

    /// - Parameters:
    ///   - timeout: seconds per request; default 5.
    ///   - maxResponseBytes: largest accepted document; default 256 KiB.
    public init(
        issuer: String, discoveryURL: URL? = nil, jwksURI: URL? = nil, client: HTTPClient = HTTPClient(),
        timeout: TimeInterval = 5, maxResponseBytes: Int = 256 * 1024
    ) {
        self.issuer = issuer
        self.discoveryURL = discoveryURL
        self.jwksURI = jwksURI
        self.client = client
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    public func fetchMetadata() async throws -> OIDCProviderMetadata {
        if let jwksURI {
            return OIDCProviderMetadata(issuer: issuer, authorizationEndpoint: "", tokenEndpoint: "", jwksURI: jwksURI.absoluteString)
        }
        guard let url = discoveryURL ?? OIDCProviderMetadata.discoveryURL(forIssuer: issuer) else {
            throw TokenRejection(.discoveryFailed, "issuer \(issuer) is not a valid URL; set the issuer to the provider's https URL")
        }
        let body = try await get(url, failure: .discoveryFailed)
        let metadata: OIDCProviderMetadata
        do {
            metadata = try StrictJSON.decode(OIDCProviderMetadata.self, from: body)
        } catch {
            throw TokenRejection(.discoveryFailed, "discovery document at \(url.absoluteString) is not valid: \(error)")
        }
        guard metadata.issuer == issuer else {
            throw TokenRejection(
                .discoveryFailed,
                "discovery document names issuer \(metadata.issuer) but \(issuer) is configured; fix the configured issuer"
            )
        }
        return metadata
    }

    public func fetchKeySet(from metadata: OIDCProviderMetadata) async throws -> JSONWebKeySet {
        guard let url = URL(string: metadata.jwksURI) else {
            throw TokenRejection(.keysUnavailable, "jwks_uri \(metadata.jwksURI) is not a valid URL")
        }
        let body = try await get(url, failure: .keySetFetchFailed)
        do {
            return try JSONWebKeySet(data: body)
        } catch {
            throw TokenRejection(.keysUnavailable, "key set at \(url.absoluteString) is not valid: \(error)")
        }
    }

    /// - Parameter failure: the code for a response other than 200, so that a failed `jwks_uri`
    ///   fetch is not reported as a discovery failure.
    private func get(_ url: URL, failure: TokenRejection.Code) async throws -> Data {
        var headers = HTTPHeaders()
        headers.add("Accept", "application/json")
        let request = HTTPClientRequest(
            method: "GET", url: url, headers: headers, body: nil, timeout: timeout, maxResponseBytes: maxResponseBytes
        )
        let response = try await client.send(request)
        if response.status >= 500 || response.status == 429 {
            throw ProviderUnavailableError(url: url.absoluteString, status: response.status)
        }
        guard response.status == 200 else {
            throw TokenRejection(failure, "GET \(url.absoluteString) returned HTTP \(response.status)")
        }
        return response.body
    }
}

/// A discovery or key set response with HTTP 5xx or 429, which a later attempt may not repeat.
/// Other statuses are ``TokenRejection``s, because retrying does not fix them.
public struct ProviderUnavailableError: Error, Sendable, CustomStringConvertible {
    public let url: String
    public let status: Int

    public var description: String { "GET \(url) returned HTTP \(status); the identity provider may be starting or overloaded" }
}
