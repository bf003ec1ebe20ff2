import AWSCore
import FoundationEssentials
import Logging
import Metrics
import RouterCore

/// `POST /sns/<source>`: the HTTP face of an `sns` source, the daemon's HTTP(S) subscription
/// endpoint for its topic.
///
/// - `SubscriptionConfirmation`: the signature and the topic are checked, then the
///   subscription is confirmed by fetching its `SubscribeURL` (on the region's SNS host).
/// - `Notification`: checked the same way, then delivered through the routes of the source.
///   Answers 200 when it was delivered, dropped or is permanently invalid, and 503 while a
///   transient failure remains (SNS retries). A `MessageId` delivered within the source's
///   `dedupe_window` is answered 200 without delivering it again; one still being delivered
///   is answered 503.
/// - `UnsubscribeConfirmation`: logged, answered 200.
///
/// A message that SNS cannot be shown to have sent (bad signature, other topic, certificate
/// or link off the SNS host, unsigned raw delivery) is answered 403 and logged; one that is
/// not an SNS message at all is answered 400. Neither is delivered.
struct SNSHTTPEndpoint: SourceHTTPEndpoint {
    let name: String
    let configuration: SNSSourceConfiguration
    let signingHost: SNSSigningHost
    let verifier: SNSMessageVerifier
    let delivered: DedupeWindow
    let counters: Counters
    let delivery: BatchDelivery
    let logger: Logger

    init(source: SNSSource, delivery: BatchDelivery, logger: Logger) {
        name = source.name
        configuration = source.configuration
        signingHost = source.signingHost
        verifier = SNSMessageVerifier(signingHost: source.signingHost)
        delivered = DedupeWindow(length: source.configuration.dedupeWindow)
        counters = Counters(source: source.name, factory: source.metrics)
        self.delivery = delivery
        var logger = logger
        logger[metadataKey: "router.source"] = "\(source.name)"
        self.logger = logger
    }

    var path: String { "/sns/\(name)" }

    /// Answers one POST; `header` reads a request header by lowercase name.
    func handle(header: @Sendable (String) -> String?, body: [UInt8]) async -> SourceHTTPAnswer {
        var logger = logger
        do {
            try checkCredentials(header("authorization"))
            if header("x-amz-sns-rawdelivery")?.lowercased() == "true" {
                return try await raw(header: header, body: body, logger: logger)
            }
            let message = try SNSHTTPMessage(body: body)
            logger[metadataKey: "router.message_id"] = "\(message.notification.messageId.escapedForLog)"
            if let type = header("x-amz-sns-message-type"), type != message.kind.rawValue {
                throw SNSRejection.malformed(.headers, "the x-amz-sns-message-type header says \(type), the body \(message.kind.rawValue)")
            }
            try check(topic: message.notification.topicArn)
            try await verifier.verify(message)
            try checkAge(message.timestamp)
            switch message.kind {
            case .subscriptionConfirmation:
                return await confirm(message, logger: logger)
            case .unsubscribeConfirmation:
                logger.warning("sns_unsubscribed: SNS says this endpoint was unsubscribed from \(message.notification.topicArn); nothing more will arrive from it until it is subscribed again")
                return SourceHTTPAnswer(200, "noted")
            case .notification:
                return await deliver(
                    SourceItem(
                        messageID: message.notification.messageId, body: Array(message.notification.message.utf8), source: name,
                        attributes: message.notification.stringAttributes),
                    logger: logger)
            }
        } catch let rejection as SNSRejection {
            counters.rejected.increment()
            logger.warning("sns_rejected: \(rejection.detail.escapedForLog); answered \(rejection.status), nothing delivered")
            return SourceHTTPAnswer(rejection.status, rejection.answer)
        } catch {
            logger.error("sns_failed: \(error); answered 500")
            return SourceHTTPAnswer(500, "internal error")
        }
    }

    /// With `basic_auth`, every request must carry those credentials (compared in constant time).
    private func checkCredentials(_ authorization: String?) throws(SNSRejection) {
        guard let expected = configuration.basicAuth else { return }
        let given = authorization.flatMap(BasicAuth.credentials(fromHeader:))
        let userMatches = BasicAuth.constantTimeEqual(Array((given?.user ?? "").utf8), Array(expected.user.utf8))
        let passwordMatches = BasicAuth.constantTimeEqual(Array((given?.password ?? "").utf8), Array(expected.password.utf8))
        guard given != nil, userMatches, passwordMatches else {
            throw .forged(.credentials, authorization == nil ? "no Authorization header" : "the basic auth credentials do not match the source's")
        }
    }

    /// A signed message older than `max_message_age` is a replay, or too late to matter.
    private func checkAge(_ timestamp: String) throws(SNSRejection) {
        guard let sent = SNSHTTPMessage.date(timestamp) else { throw .malformed(.shape, "the Timestamp '\(timestamp)' is not ISO 8601") }
        let age = Date().timeIntervalSince(sent)
        guard age <= Double(configuration.maxMessageAge.components.seconds) else {
            throw .forged(.age, "the message was sent \(Int(age)) s ago, more than max_message_age (\(configuration.maxMessageAge))")
        }
    }

    /// Raw message delivery: the body is the message, the headers say which. SNS does not sign
    /// it; the basic auth credentials, required with `raw_delivery`, were checked already.
    private func raw(header: (String) -> String?, body: [UInt8], logger: Logger) async throws -> SourceHTTPAnswer {
        guard configuration.rawDelivery else {
            throw SNSRejection.forged(.rawDelivery, "raw message delivery is not signed; source '\(name)' does not set raw_delivery: true")
        }
        try check(topic: header("x-amz-sns-topic-arn") ?? "")
        guard let messageID = header("x-amz-sns-message-id"), !messageID.isEmpty else {
            throw SNSRejection.malformed(.headers, "a raw delivery without the x-amz-sns-message-id header")
        }
        var logger = logger
        logger[metadataKey: "router.message_id"] = "\(messageID.escapedForLog)"
        return await deliver(SourceItem(messageID: messageID, body: body, source: name), logger: logger)
    }

    private func check(topic: String) throws(SNSRejection) {
        guard topic == configuration.topic.description else {
            throw .forged(.topic, "topic '\(topic)' is not source '\(name)''s topic \(configuration.topic)")
        }
    }

    private func confirm(_ message: SNSHTTPMessage, logger: Logger) async -> SourceHTTPAnswer {
        guard let url = message.subscribeURL else { return SourceHTTPAnswer(400, "a SubscriptionConfirmation without SubscribeURL") }
        do {
            _ = try await signingHost.fetch(url, deadline: .now + .seconds(10))
            logger.info("sns_subscribed: confirmed the subscription to \(message.notification.topicArn)")
            return SourceHTTPAnswer(200, "confirmed")
        } catch {
            logger.error("sns_confirm_failed: could not confirm the subscription to \(message.notification.topicArn): \(error); answered 502, SNS will ask again")
            return SourceHTTPAnswer(502, "could not confirm the subscription; SNS will ask again")
        }
    }

    private func deliver(_ item: SourceItem, logger: Logger) async -> SourceHTTPAnswer {
        counters.received.increment()
        switch await delivered.claim(item.messageID) {
        case .delivered:
            counters.duplicates.increment()
            logger.info("sns_duplicate: message already delivered within the dedupe window; answered 200")
            return SourceHTTPAnswer(200, "already delivered")
        case .inFlight:
            counters.duplicates.increment()
            return SourceHTTPAnswer(503, "this message is being delivered; try again")
        case .claimed:
            let deadline = ContinuousClock.now + configuration.deadline
            let outcome = await delivery.deliver([item], deadline: deadline, logger: logger).outcomes[0]
            await delivered.settle(item.messageID, acknowledged: !outcome.needsRetry)
            return SourceHTTPAnswer(outcome.needsRetry ? 503 : 200, reports: outcome.reports)
        }
    }

    /// `notification_router_sns_{received,rejected,duplicates}_total{source}`.
    struct Counters: Sendable {
        let received: Counter
        let rejected: Counter
        let duplicates: Counter

        init(source: String, factory: any MetricsFactory) {
            let dimensions = [("source", source)]
            received = Counter(label: "notification_router_sns_received_total", dimensions: dimensions, factory: factory)
            rejected = Counter(label: "notification_router_sns_rejected_total", dimensions: dimensions, factory: factory)
            duplicates = Counter(label: "notification_router_sns_duplicates_total", dimensions: dimensions, factory: factory)
        }
    }
}
