import Synchronization

/// Connections arriving in batches (a DynamoDB page, a slice of an in-memory table),
/// delivered to a consumer while later batches are still being read.
///
/// It is push-based: ``forEach(_:)`` runs the producer, which awaits the consumer for every
/// batch. A slow consumer therefore slows the reads (memory stays bounded by the batches in
/// flight, never by the table), and reading ends with the call: no task outlives it.
/// Producers that read in parallel (a segmented Scan, per-user Queries) call the consumer
/// concurrently, so consumers must be safe to call from several tasks at once. An error
/// thrown by the producer means the connections not yet read are unknown; an error thrown
/// by the consumer stops the producer.
public struct ConnectionBatches: Sendable {
    public typealias Consumer = @Sendable ([Connection]) async throws -> Void

    private let produce: @Sendable (_ consume: @escaping Consumer) async throws -> Void

    /// A sequence whose producer calls `consume` once per batch, possibly concurrently.
    public init(_ produce: @escaping @Sendable (_ consume: @escaping Consumer) async throws -> Void) {
        self.produce = produce
    }

    /// Reads every batch, handing each non-empty one to `consume`.
    public func forEach(_ consume: @escaping Consumer) async throws {
        try await produce { batch in
            if !batch.isEmpty { try await consume(batch) }
        }
    }

    /// These batches without the connections `isIncluded` rejects.
    public func filter(_ isIncluded: @escaping @Sendable (Connection) -> Bool) -> ConnectionBatches {
        ConnectionBatches { consume in
            try await forEach { batch in try await consume(batch.filter(isIncluded)) }
        }
    }

    /// These batches with each connection id passed on only the first time it appears.
    public func uniqueConnectionIDs() -> ConnectionBatches {
        ConnectionBatches { consume in
            let seen = Mutex(Set<String>())
            try await forEach { batch in
                let fresh = seen.withLock { seen in batch.filter { seen.insert($0.connectionID).inserted } }
                try await consume(fresh)
            }
        }
    }

    /// Fixed batches, handed over one after the other.
    public static func batches(_ batches: [[Connection]]) -> ConnectionBatches {
        ConnectionBatches { consume in
            for batch in batches { try await consume(batch) }
        }
    }

    /// No connections at all.
    public static let empty = ConnectionBatches { _ in }
}
