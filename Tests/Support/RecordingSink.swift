import RouterCore
import Synchronization

/// A ``Sink`` that records every post instead of sending it, for pipeline tests. Connections
/// whose ids are in `goneIDs` answer "gone"; every other post is delivered. Reading errors
/// are reported as the protocol requires.
public final class RecordingSink: Sink {
    private let state = Mutex<[String: [[UInt8]]]>([:])
    private let goneIDs: Set<String>

    public init(goneIDs: Set<String> = []) {
        self.goneIDs = goneIDs
    }

    public func deliver(_ payload: Payload, to connections: ConnectionBatches, deadline: ContinuousClock.Instant) async -> SinkReport {
        var report = SinkReport()
        do {
            for try await batch in connections {
                for connection in batch {
                    if goneIDs.contains(connection.connectionID) {
                        report.gone.append(connection)
                    } else {
                        state.withLock { $0[connection.connectionID, default: []].append(payload.bytes) }
                        report.delivered += 1
                    }
                }
            }
        } catch {
            report.readError = "\(error)"
        }
        return report
    }

    /// Payloads received per connection id.
    public var received: [String: [[UInt8]]] { state.withLock { $0 } }

    /// The connection ids that received anything, each as often as it received.
    public var receivers: [String] { received.flatMap { id, payloads in Array(repeating: id, count: payloads.count) }.sorted() }
}
