import Foundation

/// The real peers scripts/test.sh starts for the tests (DESIGN §8). Under `CI=true` a
/// missing peer is a failure, never a skip.
public enum TestPeers {
    /// `moto_server`'s base URL, from `MOTO_URL`.
    public static var motoURL: String? { ProcessInfo.processInfo.environment["MOTO_URL"] }

    /// The Python of the test venv (with `websockets`), from `TEST_PYTHON`.
    public static var python: String? { ProcessInfo.processInfo.environment["TEST_PYTHON"] }

    /// `MotoServer.url`-style base URL of the shared moto_server, or an error telling how to
    /// get one: tests that need moto fail without it, in CI and out.
    public static func requireMoto() throws -> String {
        guard let url = motoURL else { throw MotoServer.PeerMissing(message: "MOTO_URL is not set: run the tests with scripts/test.sh, which starts moto_server") }
        return url
    }

    /// The test venv's Python, or an error telling how to get it.
    public static func requirePython() throws -> String {
        guard let python else { throw MotoServer.PeerMissing(message: "TEST_PYTHON is not set: run the tests with scripts/test.sh, which creates the venv with websockets") }
        return python
    }

    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The directory holding the package's built products, next to the test bundle.
    public static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The package's root directory.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
