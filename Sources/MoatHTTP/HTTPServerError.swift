/// A failure of ``HTTPServer/start()``.
///
/// Errors compare by ``code`` only; ``reason`` names the address or value
/// and the fix.
public struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable machine code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case invalidConfiguration = "invalid_configuration"
            case invalidAddress = "invalid_address"
            case addressInUse = "address_in_use"
            case bindFailed = "bind_failed"
            case daemonStartFailed = "daemon_start_failed"
            case alreadyStarted = "already_started"
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// A configuration value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The host did not resolve to an address.
        public static let invalidAddress = Code(.invalidAddress)
        /// Another socket is bound to the address and port.
        public static let addressInUse = Code(.addressInUse)
        /// Creating, binding or listening on the socket failed otherwise.
        public static let bindFailed = Code(.bindFailed)
        /// libmicrohttpd refused to start.
        public static let daemonStartFailed = Code(.daemonStartFailed)
        /// ``HTTPServer/start()`` was called twice.
        public static let alreadyStarted = Code(.alreadyStarted)

        /// The snake_case code, for example `address_in_use`.
        public var description: String { value.rawValue }
    }

    public let code: Code
    /// A human explanation naming the address or value and the fix.
    public let reason: String

    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (lhs: HTTPServerError, rhs: HTTPServerError) -> Bool {
        lhs.code == rhs.code
    }

    public var description: String { "\(code): \(reason)" }
}
