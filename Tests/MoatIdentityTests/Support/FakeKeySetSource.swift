import Foundation
import MoatCore
import MoatIdentity
import MoatJOSE

/// A ``KeySetSource`` that serves keys from memory and counts every fetch.
///
/// Tests swap the served keys to simulate a rotation, switch it to failing
/// to simulate a provider outage, and set a delay so that concurrent callers
/// overlap with one fetch in flight.
final class FakeKeySetSource: KeySetSource {
    struct Outage: Error {}

    private struct State {
        var keySet: JSONWebKeySet
        var isFailing = false
        var delay: Duration = .zero
        var metadataFetches = 0
        var keySetFetches = 0
    }

    private let state: LockedValue<State>
    let metadata: OIDCProviderMetadata

    init(keys: [JSONWebKey], issuer: String = TestKeys.issuer) throws {
        state = LockedValue(State(keySet: try JSONWebKeySet(keys: keys)))
        metadata = OIDCProviderMetadata(
            issuer: issuer,
            authorizationEndpoint: issuer + "/authorize",
            tokenEndpoint: issuer + "/token",
            jwksURI: issuer + "/keys"
        )
    }

    /// Number of key set fetches, the requests a flood of unknown `kid`s would multiply.
    var keySetFetches: Int { state.current.keySetFetches }
    var metadataFetches: Int { state.current.metadataFetches }

    func serve(_ keys: [JSONWebKey]) throws {
        let keySet = try JSONWebKeySet(keys: keys)
        state.withLock { $0.keySet = keySet }
    }

    func setFailing(_ failing: Bool) {
        state.withLock { $0.isFailing = failing }
    }

    func setDelay(_ delay: Duration) {
        state.withLock { $0.delay = delay }
    }

    func fetchMetadata() async throws -> OIDCProviderMetadata {
        state.withLock { $0.metadataFetches += 1 }
        return metadata
    }

    func fetchKeySet(from metadata: OIDCProviderMetadata) async throws -> JSONWebKeySet {
        let (delay, failing, keySet) = state.withLock { state in
            state.keySetFetches += 1
            return (state.delay, state.isFailing, state.keySet)
        }
        if delay > .zero {
            try await Task.sleep(for: delay)
        }
        if failing {
            throw Outage()
        }
        return keySet
    }
}
