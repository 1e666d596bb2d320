import Foundation
import MoatTestSupport
import MoatData

/// A fresh folder under the system temporary directory, removed when the value is released.
final class TemporaryFolder: @unchecked Sendable {
    // @unchecked: `url` is immutable after init.
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("moat-data-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `text` to `relativePath`, creating intermediate folders.
    @discardableResult
    func write(_ text: String, to relativePath: String) throws -> URL {
        try write(Data(text.utf8), to: relativePath)
    }

    @discardableResult
    func write(_ data: Data, to relativePath: String) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }
}

enum TestData {
    /// `../shared/testdata` beside the package root, or `MOAT_TESTDATA`.
    static var root: URL { TestLocations.sharedTestData }
}

extension DocumentPolicy {
    static func everyone(_ classification: Classification = .internal, title: String? = nil) -> DocumentPolicy {
        DocumentPolicy(accessList: AccessList(everyoneAuthenticated: true), classification: classification, title: title)
    }

    static func groups(_ groups: [String], _ classification: Classification = .internal) -> DocumentPolicy {
        DocumentPolicy(accessList: AccessList(groups: groups), classification: classification)
    }

    static func users(_ users: [String], _ classification: Classification = .internal) -> DocumentPolicy {
        DocumentPolicy(accessList: AccessList(users: users), classification: classification)
    }
}

/// A small PDF with one line of text per page, built by hand so tests need no fixture file.
enum MinimalPDF {
    static func make(pages: [String]) -> Data {
        var objects: [String] = []
        let pageCount = pages.count
        // Objects: 1 catalog, 2 pages, 3 font, then a page and a content stream per page.
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        let kids = (0..<pageCount).map { "\(4 + $0 * 2) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for (index, text) in pages.enumerated() {
            let contentID = 5 + index * 2
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents \(contentID) 0 R >>")
            let stream = "BT /F1 12 Tf 72 720 Td (\(text)) Tj ET"
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
        }

        var output = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(output.utf8.count)
            output += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xrefOffset = output.utf8.count
        output += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            output += String(format: "%010d 00000 n \n", offset)
        }
        output += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xrefOffset)\n%%EOF\n"
        return Data(output.utf8)
    }
}
