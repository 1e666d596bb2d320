import Foundation

extension HTTPRequest {
    /// Decodes an `application/x-www-form-urlencoded` body into a dictionary.
    ///
    /// A `charset` parameter, when present, must be `utf-8`.
    ///
    /// - Throws: ``ProblemDetails`` 415 `unsupported_media_type` when the
    ///   Content-Type is another type; 400 `invalid_form` when the body is not
    ///   valid UTF-8, contains an invalid percent-escape or repeats a field name.
    ///   A repeated name is rejected because two readers could pick different
    ///   copies.
    public func formValues() throws -> [String: String] {
        let contentType = headers["Content-Type"] ?? ""
        guard Self.isFormContentType(contentType) else {
            throw ProblemDetails.unsupportedMediaType("Content-Type must be application/x-www-form-urlencoded")
        }
        guard let text = String(data: body, encoding: .utf8) else {
            throw ProblemDetails.badRequest(code: "invalid_form", "form body is not valid UTF-8")
        }

        let items: [(name: String, value: String)]
        do {
            items = try RequestTarget.parseQuery(Substring(text))
        } catch {
            throw ProblemDetails.badRequest(code: "invalid_form", "form body: \(error.reason)")
        }

        var values: [String: String] = [:]
        for item in items {
            guard values[item.name] == nil else {
                throw ProblemDetails.badRequest(code: "invalid_form", "form field \(item.name.debugDescription) appears more than once")
            }
            values[item.name] = item.value
        }
        return values
    }

    /// Matches the media type case-insensitively (RFC 9110 §8.3.1) and
    /// accepts only a UTF-8 charset parameter, if any.
    private static func isFormContentType(_ value: String) -> Bool {
        let parameters = value.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
        guard parameters.first == "application/x-www-form-urlencoded" else {
            return false
        }
        for parameter in parameters.dropFirst() where parameter.hasPrefix("charset=") {
            let charset = parameter.dropFirst("charset=".count).replacingOccurrences(of: "\"", with: "")
            if charset != "utf-8" {
                return false
            }
        }
        return true
    }
}
