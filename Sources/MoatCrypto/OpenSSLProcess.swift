import CMoatProcess
import COpenSSL

/// OpenSSL's process-wide state.
public enum OpenSSLProcess {
    /// True when OpenSSL was initialised before `main` without its exit-time
    /// cleanup, so threads still running when the process exits never touch
    /// freed library state (see `CMoatProcess`).
    public static var isPreparedForExit: Bool {
        moat_process_prepared() == 1
    }

    /// Whether the default library context fetches only FIPS-approved
    /// implementations. It is read once, so a later switch is not seen.
    public static let isFIPSEnabled = EVP_default_properties_is_fips_enabled(nil) == 1
}
