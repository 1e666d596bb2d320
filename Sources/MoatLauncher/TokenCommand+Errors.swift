import Foundation
import MoatDevIdP
import MoatHTTP

extension TokenCommand {
    /// Returns the error for an authorize response that is not the login page.
    ///
    /// The dev IdP reports a bad `client_id` or `redirect_uri` on an error page whose
    /// `data-error-code` attribute carries the code, and later errors as `error=`
    /// parameters of a redirect (RFC 6749 §4.1.2.1). Either is named with its fix.
    /// Any other response means that another server runs at `base`.
    /// With a custom directory file, `moat up` registers no web address, so the fix is in that file.
    static func authorizeFailure(
        status: Int, location: String?, body: Data, base: String, redirectURI: String, customDirectory: String? = nil
    ) -> LaunchError {
        let sameConfiguration = "run moat token with the same --config file and MOAT_* variables as `moat up`"
        if let location, let items = URLComponents(string: location)?.queryItems, let error = items.first(where: { $0.name == "error" })?.value {
            let description = items.first(where: { $0.name == "error_description" })?.value ?? "no description"
            return LaunchError("the identity provider at \(base) rejected the sign-in request with \(error): \(description)")
        }
        let html = String(decoding: body, as: UTF8.self)
        guard let code = attribute("data-error-code", in: html) else {
            return LaunchError("the identity provider at \(base) did not show its login page (HTTP \(status)); is `moat up` running?")
        }
        let message = errorMessage(in: html) ?? "no description"
        switch code {
        case "redirect_uri_mismatch" where customDirectory != nil:
            return LaunchError(
                "the identity provider at \(base) rejected the sign-in request with redirect_uri_mismatch: \(message) "
                    + "moat token sent redirect_uri \(redirectURI), built from web.public_base_url or from host and web.port. "
                    + "With the custom directory \(customDirectory ?? ""), the accepted addresses are the redirect_uris of moat-web "
                    + "in that file: add \(redirectURI) there and restart the identity provider, or \(sameConfiguration)")
        case "redirect_uri_mismatch":
            return LaunchError(
                "the identity provider at \(base) rejected the sign-in request with redirect_uri_mismatch: \(message) "
                    + "moat token sent redirect_uri \(redirectURI), built from web.public_base_url or from host and web.port, "
                    + "and the running identity provider accepts only the web address that `moat up` registered; \(sameConfiguration)")
        case "unknown_client":
            return LaunchError(
                "the identity provider at \(base) rejected the sign-in request with unknown_client: \(message) "
                    + "moat token signs in as moat-web from the directory that idp.directory names; \(sameConfiguration)")
        default:
            return LaunchError("the identity provider at \(base) rejected the sign-in request with \(code): \(message)")
        }
    }

    /// Returns the value of the first `name="…"` attribute in `html`, with character references decoded.
    private static func attribute(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "\(name)=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { unescape(String(rest[..<$0])) }
    }

    /// Returns the text of the element that carries `data-error-code`, as `LoginPage.renderError` writes it.
    private static func errorMessage(in html: String) -> String? {
        guard let attribute = html.range(of: "data-error-code=\""), let start = html[attribute.upperBound...].firstIndex(of: ">") else { return nil }
        let rest = html[html.index(after: start)...]
        return rest.range(of: "</").map { unescape(String(rest[..<$0.lowerBound])) }
    }

    /// Decodes the character references that `HTMLEscaping.escape` writes.
    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
    /// Returns the tenant whose endpoints `moat token` uses: `requested`, or the directory's home tenant.
    ///
    /// - Throws: when `requested` is not a tenant id of the directory, listing the ids it has.
    static func signInTenant(_ requested: String?, directory: Directory) throws -> String {
        guard let requested else { return directory.tenant.id }
        guard let tenant = directory.tenant(id: requested.lowercased()) else {
            let known = directory.tenants.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
            throw LaunchError("--tenant \(requested) is not a tenant of the directory; use one of \(known)")
        }
        return tenant.id
    }

    /// Returns the error for a rejected user name and password. A user of another tenant fails the same
    /// way at the home tenant's endpoints, so the error names `--tenant` and, when the directory has the
    /// user, that user's tenant.
    static func signInFailure(user: String, status: Int, tenantID: String, directory: Directory) -> LaunchError {
        let failure = "sign-in as \(user) at tenant \(tenantID) failed (HTTP \(status)); check the user name and password"
        if let match = directory.users.first(where: { $0.name == user }) {
            let userTenant = directory.tenant(of: match).id
            if userTenant != tenantID {
                return LaunchError("\(failure). User \(user) belongs to tenant \(userTenant); sign in there with --tenant \(userTenant)")
            }
            return LaunchError(failure)
        }
        return LaunchError("\(failure). A user of another tenant signs in with --tenant <tenant id>")
    }
}
