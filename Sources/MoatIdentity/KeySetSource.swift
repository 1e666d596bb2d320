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
/// provider's metadata names another issuer.
public struct HTTPKeySetSource: KeySetSource {
    public let issuer: String
    public var timeout: TimeInterval
    public var maxResponseBytes: Int
    private let client: HTTPClient

    public init(issuer: String, client: HTTPClient = HTTPClient(), timeout: TimeInterval = 5, maxResponseBytes: Int = 256 * 1024) {
        self.issuer = issuer
        self.client = client
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    public func fetchMetadata() async throws -> OIDCProviderMetadata {
        guard let url = OIDCProviderMetadata.discoveryURL(forIssuer: issuer) else {
            throw TokenRejection(.discoveryFailed, "issuer \(issuer) is not a valid URL; set the issuer to the provider's https URL")
        }
        let body = try await get(url)
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
        let body = try await get(url)
        do {
            return try JSONWebKeySet(data: body)
        } catch {
            throw TokenRejection(.keysUnavailable, "key set at \(url.absoluteString) is not valid: \(error)")
        }
    }

    private func get(_ url: URL) async throws -> Data {
        var headers = HTTPHeaders()
        headers.add("Accept", "application/json")
        let request = HTTPClientRequest(
            method: "GET", url: url, headers: headers, body: nil, timeout: timeout, maxResponseBytes: maxResponseBytes
        )
        let response = try await client.send(request)
        guard response.status == 200 else {
            throw TokenRejection(.discoveryFailed, "GET \(url.absoluteString) returned HTTP \(response.status)")
        }
        return response.body
    }
}
