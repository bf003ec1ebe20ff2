/// A connection store that reads one segment of a parallel scan a page at a time, from a
/// cursor, so that a split task can stop at a page boundary and its continuation resume
/// after it (a DynamoDB `Segment`/`TotalSegments` Scan and its `LastEvaluatedKey`).
///
/// Every implementation guarantees: segments `0..<segments` partition the store (each
/// connection belongs to exactly one); reading a segment from a nil cursor, each time after
/// the cursor the previous page returned, until a page returns none, yields each of its
/// connections once (connections added or removed meanwhile may or may not appear); a
/// cursor is plain text that survives a trip through a queue message.
public protocol SegmentScanning: ConnectionStore {
    /// The page of segment `segment` of `segments` after `cursor` (nil: the segment's first).
    func scanPage(segment: Int, of segments: Int, after cursor: String?) async throws -> ScanPage
}

/// One page of a segment: its connections and where the next page starts (nil: the segment
/// is finished).
public struct ScanPage: Sendable {
    public let connections: [Connection]
    public let next: String?

    public init(connections: [Connection], next: String?) {
        self.connections = connections
        self.next = next
    }
}
