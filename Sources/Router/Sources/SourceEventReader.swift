import FoundationEssentials
import Logging

/// The event face of one kind of source: it recognises the records of its kind in an event
/// handed to the process (a Lambda invocation), decodes them into items, and turns their
/// outcomes into the answer the platform expects.
///
/// Every implementation guarantees:
/// - ``items(in:)`` answers nil for an event that is not of its kind, without side effects,
///   so that readers can be asked in turn;
/// - it returns one item per record, in order, each named by the table's source for its
///   queue or topic (nil when the table names none);
/// - ``answer(items:outcomes:logger:)`` makes the platform retry exactly the records whose
///   outcome is not acknowledged (or, when the platform can only retry the whole event,
///   fails the event while any must come back), and acknowledges the rest.
public protocol SourceEventReader: Sendable {
    /// The event kind it reads, as logs and errors name it (`aws:sqs`).
    var kind: String { get }

    /// The event's items, nil when the event is not of this kind; throws ``SourceError`` with
    /// code ``SourceError/unreadableEvent`` when it is of this kind but does not decode.
    func items(in event: SourceEvent) throws(SourceError) -> [SourceItem]?

    /// What to answer for the outcomes of `items` (one per item, in order).
    func answer(items: [SourceItem], outcomes: [DeliveryOutcome], logger: Logger) -> SourceEventAnswer
}

/// An event handed to the process: its bytes, and its top-level JSON object when it is one.
public struct SourceEvent {
    public let bytes: [UInt8]
    public let object: [String: JSONValue]?

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.object = JSONValue(parsing: bytes)?.object
    }

    /// The event's `Records` array, when it has one.
    public var records: [JSONValue]? { object?["Records"]?.array }
}

/// The answer to an event.
public enum SourceEventAnswer: Sendable, Equatable {
    /// A response body (SQS: `{"batchItemFailures":[…]}`).
    case response([UInt8])
    /// An invocation error, which makes the platform retry the whole event.
    case failure(type: String, message: String)
}
