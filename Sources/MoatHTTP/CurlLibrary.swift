import CCurl

/// libcurl's process-wide state.
public enum CurlLibrary {
    private static let initialized: Void = {
        // curl_global_init is not thread-safe. Swift initialises a static once, under a lock.
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    /// Initialises libcurl once per process; call before creating a handle.
    public static func initialize() {
        initialized
    }
}
