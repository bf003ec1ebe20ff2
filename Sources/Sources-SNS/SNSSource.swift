import AWSCore
import Logging
import Metrics
import RouterCore

/// An `sns` source: its HTTP face is the subscription endpoint `POST /sns/<name>`
/// (``SNSHTTPEndpoint``), its publish face `Publish`; its event face is ``SNSEventReader``.
public struct SNSSource: NotificationSource {
    public let name: String
    public let configuration: SNSSourceConfiguration
    let client: SNSClient
    /// Where signing certificates and subscription links are fetched.
    let signingHost: SNSSigningHost
    let metrics: any MetricsFactory

    public init(name: String, configuration: SNSSourceConfiguration, aws: AWSClient, metrics: any MetricsFactory = MetricsSystem.factory) {
        self.name = name
        self.configuration = configuration
        self.client = SNSClient(aws: aws)
        self.signingHost = SNSSigningHost(region: configuration.topic.region, aws: aws)
        self.metrics = metrics
    }

    public func httpEndpoint(delivering delivery: BatchDelivery, logger: Logger) -> (any SourceHTTPEndpoint)? {
        SNSHTTPEndpoint(source: self, delivery: delivery, logger: logger)
    }

    public func publish(_ request: [UInt8], deadline: ContinuousClock.Instant) async throws -> String {
        try await client.publish(String(decoding: request, as: UTF8.self), to: configuration.topic, deadline: deadline)
    }
}
