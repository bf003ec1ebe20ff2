#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Standard output or standard error, written whole and unbuffered: each ``write(_:)`` reaches
/// the descriptor before it returns (a log line is in CloudWatch even if the process is
/// frozen right after), and writes from concurrent tasks never interleave.
public final class StandardStream: Sendable {
    public static let output = StandardStream(descriptor: 1)
    public static let error = StandardStream(descriptor: 2)

    private let descriptor: Int32
    private let lock = Mutex(())

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes `text` (add the line break yourself); a closed or failing stream drops it.
    public func write(_ text: String) {
        write(bytes: Array(text.utf8))
    }

    /// Writes `bytes` as they are.
    public func write(bytes: [UInt8]) {
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }

    /// Everything on standard input, up to its end.
    public static func readInput() -> [UInt8] {
        var input: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(0, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return input }
            input += chunk[..<count]
        }
    }
}

#if canImport(Darwin)
private let (systemWrite, systemRead) = (Darwin.write, Darwin.read)
#elseif canImport(Musl)
private let (systemWrite, systemRead) = (Musl.write, Musl.read)
#else
private let (systemWrite, systemRead) = (Glibc.write, Glibc.read)
#endif
