import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn(3)`.
///
/// Foundation's `Process` on Linux crashes now and then in `run()` (an
/// over-read while it lists `/proc/self/fd`, fixed in later toolchains), so
/// Moat starts its child processes here instead. Standard input is
/// `/dev/null`; standard output and error are captured through pipes,
/// discarded or inherited.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `pid` and the pipe descriptors are set once in `init`;
    // `termination` is only touched under `lock`.
    public enum Output: Sendable {
        case capture, discard, inherit
    }

    /// A child's end: its exit status or the signal that stopped it.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    public let pid: pid_t
    /// Read end of the captured standard output, or nil.
    public let standardOutput: FileHandle?
    /// Read end of the captured standard error, or nil.
    public let standardError: FileHandle?
    private let lock = NSLock()
    private var termination: Termination?
    private static let spawnLock = NSLock()

    /// Starts `executable` (an absolute path) with `arguments`.
    ///
    /// - Parameter environment: the child's environment; nil passes this process's.
    /// - Throws: ``ChildProcessError`` when a pipe cannot be made or the spawn fails.
    public init(
        executable: String, arguments: [String], environment: [String: String]? = nil,
        output: Output = .capture, error: Output = .capture
    ) throws(ChildProcessError) {
        // Pipes are made close-on-exec in two steps (Swift does not import pipe2);
        // spawning under one lock keeps another child from inheriting them between.
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        var parentEnds: [Int32: Int32] = [:]
        var childEnds: [Int32] = []
        func route(_ mode: Output, to descriptor: Int32) throws(ChildProcessError) {
            switch mode {
            case .inherit:
                break
            case .discard:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .capture:
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else {
                    throw ChildProcessError(executable: executable, reason: "cannot create a pipe (errno \(errno))")
                }
                _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
                // dup2 onto 1 or 2 clears close-on-exec for the child's copy only.
                posix_spawn_file_actions_adddup2(&actions, ends[1], descriptor)
                parentEnds[descriptor] = ends[0]
                childEnds.append(ends[1])
            }
        }
        do {
            try route(output, to: 1)
            try route(error, to: 2)
        } catch {
            for descriptor in Array(parentEnds.values) + childEnds { close(descriptor) }
            throw error
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environmentStrings = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = environmentStrings.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, envp)
        for descriptor in childEnds { close(descriptor) }
        guard status == 0 else {
            for descriptor in parentEnds.values { close(descriptor) }
            throw ChildProcessError(executable: executable, reason: "posix_spawn failed: \(String(cString: strerror(status)))")
        }
        pid = child
        standardOutput = parentEnds[1].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardError = parentEnds[2].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    /// Reads captured standard output and error to their ends, the error on
    /// another thread so that neither pipe can fill up and block the child.
    /// Returns empty data for a stream that is not captured.
    public func readOutputs() -> (output: Data, error: Data) {
        let errorData = LockedValue(Data())
        let errors = standardError
        let errorReader = DispatchWorkItem {
            let bytes = errors?.readDataToEndOfFile() ?? Data()
            errorData.withLock { $0 = bytes }
        }
        DispatchQueue.global().async(execute: errorReader)
        let output = standardOutput?.readDataToEndOfFile() ?? Data()
        errorReader.wait()
        return (output, errorData.current)
    }

    /// Sends `signal` (for example `SIGTERM` or `SIGKILL`) unless the child was already reaped.
    public func send(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if termination == nil { kill(pid, signal) }
    }

    /// Blocks until the child ends and reaps it; later calls return the same value.
    @discardableResult
    public func wait() -> Termination {
        lock.lock()
        if let termination { lock.unlock(); return termination }
        lock.unlock()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG from <sys/wait.h>, which Swift does not import as functions.
        let result: Termination = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        lock.lock()
        termination = result
        lock.unlock()
        return result
    }
}

/// A child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public var code: String { "spawn_failed" }
    public let executable: String
    public let reason: String
    public var description: String { "cannot start \(executable): \(reason)" }
}
