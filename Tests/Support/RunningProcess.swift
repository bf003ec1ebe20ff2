import Foundation
import Synchronization

/// A child process the test talks to while it runs: lines written to its standard input,
/// lines of its standard output (and error) collected as they come, waits on what it has
/// printed. Stopped with SIGKILL by ``stop()``.
public final class RunningProcess: Sendable {
    private let process: Process
    private let input: FileHandle
    private let collected = Collected()

    /// What the process printed, shared with the pipes' reading handlers.
    private final class Collected: Sendable {
        let lines = Mutex<[String]>([])
        let errors = Mutex<String>("")
    }

    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        self.process = process
        self.input = stdin.fileHandleForWriting
        let pending = Mutex<[UInt8]>([])
        let collected = self.collected
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            let lines = pending.withLock { buffer -> [String] in
                buffer += data
                var lines: [String] = []
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
                    buffer.removeSubrange(...newline)
                }
                return lines
            }
            collected.lines.withLock { $0 += lines }
        }
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            collected.errors.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    /// Lines printed so far.
    public var lines: [String] { collected.lines.withLock { $0 } }
    /// Standard error so far.
    public var standardError: String { collected.errors.withLock { $0 } }
    public var isRunning: Bool { process.isRunning }

    public func send(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    /// Waits until `condition` holds for the printed lines, or fails after `limit` (a bound
    /// against hanging, not a performance assertion), or when the process exits first.
    @discardableResult
    public func wait<T>(for what: String, limit: Duration = .seconds(60), _ condition: ([String]) -> T?) async throws -> T {
        let end = ContinuousClock.now + limit
        while true {
            if let found = condition(lines) { return found }
            guard process.isRunning else {
                throw ProcessWaitError(message: "process exited (status \(process.terminationStatus)) before \(what); stderr:\n\(standardError)")
            }
            guard ContinuousClock.now < end else { throw ProcessWaitError(message: "no \(what) after \(limit); stderr:\n\(standardError)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Closes standard input and waits for the process to exit by itself.
    public func finish(limit: Duration = .seconds(60)) async throws -> Int32 {
        try? input.close()
        let end = ContinuousClock.now + limit
        while process.isRunning {
            guard ContinuousClock.now < end else { stop(); throw ProcessWaitError(message: "process did not exit after \(limit)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Sends `signal` (SIGTERM by default) to the process.
    public func signal(_ signal: Int32 = SIGTERM) {
        kill(process.processIdentifier, signal)
    }

    /// Kills the process (SIGKILL). Foundation reaps it; waiting here could hang, as
    /// `waitUntilExit` sometimes misses an exit while other children exit at the same time.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A child process did not print what a test waited for; the message says what and shows its stderr.
public struct ProcessWaitError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
