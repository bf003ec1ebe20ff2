import Foundation
import Synchronization

/// The outcome of running a command to completion.
public struct CommandResult: Sendable {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String

    /// Runs `executable` with `arguments` and `environment`, waiting for it to exit.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let output = Pipe(), error = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        // Standard error is read on a thread of its own, so a child that fills one pipe while
        // the other is being read cannot block the two of them.
        let errData = Mutex(Data())
        let errorDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errData.withLock { $0 = error.fileHandleForReading.readDataToEndOfFile() }
            errorDone.signal()
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        errorDone.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }

    /// ``run(_:arguments:environment:input:)`` on a thread of its own, so that waiting for the
    /// command never holds one of the few threads the test's own async servers answer on.
    public static func running(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(executable, arguments, environment: environment, input: input) })
            }
        }
    }
}
