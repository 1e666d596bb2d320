import CMoatProcess

/// OpenSSL's process-wide state.
public enum OpenSSLProcess {
    /// True when OpenSSL was initialised before `main` without its exit-time
    /// cleanup, so threads still running when the process exits never touch
    /// freed library state (see `CMoatProcess`).
    public static var isPreparedForExit: Bool {
        moat_process_prepared() == 1
    }
}
