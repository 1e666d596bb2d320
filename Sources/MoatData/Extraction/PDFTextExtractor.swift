import Foundation
import MoatCore

/// Extracts page texts from a PDF with poppler's `pdftotext`.
///
/// `pdftotext` ends every page with a form feed, so splitting on it keeps
/// page numbers (1-based) even for pages without text.
struct PDFTextExtractor: Sendable {
    /// Path of the `pdftotext` executable; nil searches `PATH`.
    var executablePath: String?
    /// Seconds before a stuck conversion is terminated. Default 120.
    var timeout: TimeInterval = 120

    func pages(of file: URL, relativePath: String) throws -> [String] {
        guard let executable = resolvedExecutable() else {
            throw DataError(
                .extractionFailed,
                "cannot extract text from \(relativePath): pdftotext was not found at \(executablePath ?? "any directory in PATH"); install poppler-utils or set the pdftotext path"
            )
        }

        // The file URL is absolute, so its path never starts with "-" and cannot be read as an option.
        let process: ChildProcess
        do {
            process = try ChildProcess(executable: executable, arguments: ["-enc", "UTF-8", file.standardizedFileURL.path, "-"])
        } catch {
            throw DataError(.extractionFailed, "cannot extract text from \(relativePath): \(error)")
        }

        let timedOut = LockedValue(false)
        let watchdog = DispatchWorkItem {
            timedOut.withLock { $0 = true }
            process.send(SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)

        let (data, errorData) = process.readOutputs()
        let termination = process.wait()
        watchdog.cancel()

        guard termination == .exited(0) else {
            let message = Self.firstLine(of: errorData)
            let status: String
            switch termination {
            case .exited(let code): status = "exit status \(code)"
            case .signalled: status = timedOut.current ? "terminated after \(Int(timeout)) s" : "terminated by a signal"
            }
            throw DataError(
                .extractionFailed,
                "cannot extract text from \(relativePath): pdftotext failed (\(status)): \(message); check that the file is a readable, unencrypted PDF"
            )
        }

        var pages = String(decoding: data, as: UTF8.self).components(separatedBy: "\u{0C}")
        // The form feed after the last page leaves one empty string behind.
        if pages.count > 1, pages.last?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true {
            pages.removeLast()
        }
        return pages
    }

    private func resolvedExecutable() -> String? {
        if let executablePath {
            return FileManager.default.isExecutableFile(atPath: executablePath) ? executablePath : nil
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/pdftotext"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    private static func firstLine(of data: Data) -> String {
        let text = String(decoding: data.prefix(2048), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no error output"
        return String(line.prefix(200))
    }
}

