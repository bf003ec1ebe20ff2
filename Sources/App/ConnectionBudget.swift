import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How many client connections the daemon's HTTP server may hold open: few enough that the
/// process never runs out of file descriptors, whatever its clients do. A process out of
/// descriptors cannot poll SQS, query DynamoDB or post to API Gateway, and on Linux
/// libdispatch traps (SIGILL) when its own thread-pool monitor cannot open a file.
///
/// The budget is the soft `RLIMIT_NOFILE` less a reserve for the process's own connections
/// (the widest sink's posts in flight, plus 128 for SQS, DynamoDB, credentials, logs and
/// files), and at most `ceiling`.
enum ConnectionBudget {
    static let ceiling = 4096

    static func clientConnections(outboundInFlight: Int, descriptorLimit: Int? = softDescriptorLimit()) -> Int {
        let reserve = outboundInFlight + 128
        guard let descriptorLimit else { return ceiling }
        return max(16, min(ceiling, descriptorLimit - reserve))
    }

    /// The process's soft limit on open files, nil when it cannot be read.
    static func softDescriptorLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return limit.rlim_cur == rlim_t.max ? nil : Int(clamping: limit.rlim_cur)
    }
}
