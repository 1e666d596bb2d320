import Foundation

extension GatewayConfiguration {
    /// Checks that ``upstreamCAFile``, when set, is a readable file with at
    /// least one PEM certificate, so that a wrong path fails at start-up and
    /// not at the first request.
    ///
    /// - Throws: ``GatewayError`` `invalid_configuration` naming the setting, the path and the fix.
    func validateUpstreamCAFile() throws(GatewayError) {
        try Self.validateUpstreamCAFile(upstreamCAFile)
    }

    /// Checks a value of `gateway.upstream_ca_file` as ``validateUpstreamCAFile()``
    /// does, for callers that check settings before starting anything else.
    ///
    /// - Throws: ``GatewayError`` `invalid_configuration` naming the setting, the path and the fix.
    public static func validateUpstreamCAFile(_ path: String?) throws(GatewayError) {
        guard let path else { return }
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw GatewayError(
                .invalidConfiguration,
                "gateway.upstream_ca_file = \"\(path)\" is missing or unreadable; give the path of a readable PEM file with the upstream's CA certificates"
            )
        }
        guard String(decoding: contents, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw GatewayError(
                .invalidConfiguration,
                "gateway.upstream_ca_file = \"\(path)\" contains no PEM certificate; give a file with one or more -----BEGIN CERTIFICATE----- blocks"
            )
        }
    }
}
