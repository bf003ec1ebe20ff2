import Logging
import ServiceLifecycle

/// Options of a source (`sqs`, `sns`, …), which also builds it.
public protocol SourceConfiguration: PluginConfiguration {
    /// The source named `name` in routes.yaml.
    func makeSource(name: String, _ context: PluginContext) throws(PluginBuildError) -> any NotificationSource

    /// The event face of this kind of source, for the sources of this kind in `table` (nil:
    /// the kind is never handed events). It exists even when the table names no source of the
    /// kind: an event from a queue or topic the table does not list still takes the routes
    /// without `from`. `context` holds the process's resources (its default region, say).
    static func eventReader(for table: RouteTable, context: PluginContext) -> (any SourceEventReader)?
}

extension SourceConfiguration {
    public static func eventReader(for table: RouteTable, context: PluginContext) -> (any SourceEventReader)? { nil }
}

/// Where notification requests come from: an SQS queue, an SNS topic, a file. Built once per
/// `sources:` entry. A source offers any of its faces:
/// - the **event face** (Lambda, and anything that hands the process a batch) belongs to the
///   kind of source: ``SourceConfiguration/eventReader(for:context:)``;
/// - the **service face** (daemon): ``service(delivering:logger:)``, a `Service` that
///   receives messages by itself;
/// - the **HTTP face** (daemon): ``httpEndpoint(delivering:logger:)``, for sources that are
///   posted to (an SNS HTTP(S) subscription, a webhook);
/// - the **publish face**: ``publish(_:deadline:)`` sends a request to the source, for
///   `notification-router publish --to NAME`.
///
/// Every implementation guarantees, for every face it offers:
/// - every message it receives is handed to ``BatchDelivery`` as a ``SourceItem`` carrying the
///   source's name and the message's string attributes, so `from:` and `match:` pick its
///   routes the same way in every mode;
/// - **acknowledged** means the platform will not hand the message to the router again (SQS:
///   deleted; SNS over HTTP: answered 2xx; an event: left out of the failures it answers). A
///   message is acknowledged only when its ``DeliveryOutcome/isAcknowledged`` says so, and
///   every message that is not comes back: left for the platform's redelivery, or answered
///   with the failure that makes the platform retry it;
/// - **retries belong to the platform** (a queue's visibility timeout and redrive policy, SNS's
///   delivery retry policy). A source never re-runs a message itself; within one attempt the
///   sink retries single posts until the deadline;
/// - nothing received is dropped without a counter or a log line naming the message id.
public protocol NotificationSource: Sendable {
    /// The source's name in routes.yaml.
    var name: String { get }

    /// The daemon's receiver: a `Service` that hands each batch it receives to `delivery`,
    /// acknowledges exactly the items whose outcome says so, and on graceful shutdown stops
    /// receiving, finishes the batches in hand and acknowledges nothing else. Nil when the
    /// source does not receive by itself.
    func service(delivering delivery: BatchDelivery, logger: Logger) -> (any Service)?

    /// The daemon's HTTP endpoint for this source, nil when nothing posts to it.
    func httpEndpoint(delivering delivery: BatchDelivery, logger: Logger) -> (any SourceHTTPEndpoint)?

    /// Sends `request` to this source (SQS `SendMessage`, SNS `Publish`); returns the id the
    /// platform gave the message. Throws ``SourceError/cannotPublish`` when the source cannot
    /// be published to.
    func publish(_ request: [UInt8], deadline: ContinuousClock.Instant) async throws -> String
}

extension NotificationSource {
    public func service(delivering delivery: BatchDelivery, logger: Logger) -> (any Service)? { nil }

    public func httpEndpoint(delivering delivery: BatchDelivery, logger: Logger) -> (any SourceHTTPEndpoint)? { nil }

    public func publish(_ request: [UInt8], deadline: ContinuousClock.Instant) async throws -> String {
        throw SourceError(.cannotPublish, "source '\(name)' cannot be published to")
    }
}
