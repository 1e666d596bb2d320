/// Runs `body`, and runs it again up to `attempts - 1` more times while it
/// throws an error that `isTransient` accepts; any other error, or the last
/// one, is rethrown.
///
/// Test stacks pick a free port and bind it a moment later, so in a parallel
/// run another test can take the port in between; such starts are retried.
public func retrying<Value>(
    attempts: Int = 6, while isTransient: (any Error) -> Bool, _ body: () async throws -> Value
) async throws -> Value {
    var attempt = 1
    while true {
        do {
            return try await body()
        } catch where attempt < attempts && isTransient(error) {
            attempt += 1
        }
    }
}
