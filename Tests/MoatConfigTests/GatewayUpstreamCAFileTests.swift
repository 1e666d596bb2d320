import Testing

@testable import MoatConfig

@Suite("gateway.upstream_ca_file")
struct GatewayUpstreamCAFileTests {
    @Test("TOML key sets the path")
    func readFromFile() throws {
        let configuration = try loadConfiguration("[gateway]\nupstream_ca_file = \"/etc/moat/upstream-ca.pem\"\n")
        #expect(configuration.gateway.upstreamCAFile == "/etc/moat/upstream-ca.pem")
    }

    @Test("environment variable overrides the file")
    func environmentOverrides() throws {
        let configuration = try loadConfiguration(
            "[gateway]\nupstream_ca_file = \"/etc/moat/upstream-ca.pem\"\n",
            environment: ["MOAT_GATEWAY_UPSTREAM_CA_FILE": "/run/secrets/ca.pem"]
        )
        #expect(configuration.gateway.upstreamCAFile == "/run/secrets/ca.pem")
    }

    @Test("default is the system store")
    func defaultIsNil() throws {
        #expect(try loadConfiguration(nil).gateway.upstreamCAFile == nil)
    }
}
