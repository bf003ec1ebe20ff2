import RouterCore
import Synchronization

/// A ``Sink`` that records every post instead of sending it, for pipeline tests. Connections
/// whose ids are in `goneIDs` answer "gone"; those in `failOnceIDs` fail transiently the
/// first time; every other post is delivered. Reading errors are reported as the protocol
/// requires.
public final class RecordingSink: Sink {
    private let state = Mutex<[String: [[UInt8]]]>([:])
    private let goneIDs: Set<String>
    private let failing: Mutex<Set<String>>

    public init(goneIDs: Set<String> = [], failOnceIDs: Set<String> = []) {
        self.goneIDs = goneIDs
        failing = Mutex(failOnceIDs)
    }

    public func deliver(_ payload: Payload, to connections: ConnectionBatches, deadline: ContinuousClock.Instant) async -> SinkReport {
        let report = Mutex(SinkReport())
        do {
            try await connections.forEach { batch in
                for connection in batch {
                    if self.goneIDs.contains(connection.connectionID) {
                        report.withLock { $0.gone.append(connection) }
                    } else if self.failing.withLock({ $0.remove(connection.connectionID) != nil }) {
                        report.withLock {
                            $0.failed += 1
                            $0.unfinished.append(connection)
                        }
                    } else {
                        self.state.withLock { $0[connection.connectionID, default: []].append(payload.bytes) }
                        report.withLock {
                            $0.delivered += 1
                            $0.reached.append(connection.deliveryKey)
                        }
                    }
                }
            }
        } catch {
            report.withLock { $0.readError = "\(error)" }
        }
        return report.withLock { $0 }
    }

    /// Payloads received per connection id.
    public var received: [String: [[UInt8]]] { state.withLock { $0 } }

    /// The connection ids that received anything, each as often as it received.
    public var receivers: [String] { received.flatMap { id, payloads in Array(repeating: id, count: payloads.count) }.sorted() }
}
