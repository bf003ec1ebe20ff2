import ServiceLifecycle

/// A service that does nothing until graceful shutdown, then runs `action` (closing a shared
/// client at the right point of a `ServiceGroup`'s reverse-order shutdown).
struct ShutdownOnSignal: Service {
    let action: @Sendable () async throws -> Void

    init(_ action: @escaping @Sendable () async throws -> Void) {
        self.action = action
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await action()
    }
}
