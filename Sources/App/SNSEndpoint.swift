import AWSCore
import Logging
import Metrics
import RouterCore
import SNSSource

/// `POST /sns/<source>`: the daemon's HTTP(S) subscription endpoint for each `sns` source.
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
struct SNSEndpoint: Sendable {
    /// One `sns` source of the table, with what checks its messages.
    struct Subscription: Sendable {
        let name: String
        let configuration: SNSSourceConfiguration
        let signingHost: SNSSigningHost
        let verifier: SNSMessageVerifier
        let delivered: DedupeWindow
        let counters: Counters

        init(name: String, configuration: SNSSourceConfiguration, signingHost: SNSSigningHost) {
            self.name = name
            self.configuration = configuration
            self.signingHost = signingHost
            verifier = SNSMessageVerifier(signingHost: signingHost)
            delivered = DedupeWindow(length: configuration.dedupeWindow)
            counters = Counters(source: name)
        }
    }

    struct Answer: Sendable, Equatable {
        let status: Int
        let contentType: String
        let body: [UInt8]

        init(_ status: Int, _ text: String) {
            self.status = status
            contentType = "text/plain; charset=utf-8"
            body = Array((text + "\n").utf8)
        }

        init(_ status: Int, reports: [DeliveryReport]) {
            self.status = status
            contentType = "application/json"
            body = reports.reportsJSON
        }
    }

    let subscriptions: [String: Subscription]
    let delivery: BatchDelivery
    let logger: Logger

    init(subscriptions: [Subscription], delivery: BatchDelivery, logger: Logger) {
        self.subscriptions = Dictionary(subscriptions.map { ($0.name, $0) }) { first, _ in first }
        self.delivery = delivery
        self.logger = logger
    }

    /// Answers one POST; `header` reads a request header by lowercase name.
    func handle(source: String, header: (String) -> String?, body: [UInt8]) async -> Answer {
        var logger = logger
        logger[metadataKey: "router.source"] = "\(source)"
        guard let subscription = subscriptions[source] else {
            logger.warning("sns_rejected: no sns source named '\(source)' in the route table")
            return Answer(404, "no sns source named '\(source)'")
        }
        do {
            if header("x-amz-sns-rawdelivery")?.lowercased() == "true" {
                return try await raw(subscription, header: header, body: body, logger: logger)
            }
            let message = try SNSHTTPMessage(body: body)
            logger[metadataKey: "router.message_id"] = "\(message.notification.messageId)"
            if let type = header("x-amz-sns-message-type"), type != message.kind.rawValue {
                throw SNSRejection.malformed("the x-amz-sns-message-type header says \(type), the body \(message.kind.rawValue)")
            }
            try check(topic: message.notification.topicArn, of: subscription)
            try await subscription.verifier.verify(message)
            switch message.kind {
            case .subscriptionConfirmation:
                return await confirm(message, subscription, logger: logger)
            case .unsubscribeConfirmation:
                logger.warning("sns_unsubscribed: SNS says this endpoint was unsubscribed from \(message.notification.topicArn); nothing more will arrive from it until it is subscribed again")
                return Answer(200, "noted")
            case .notification:
                return await deliver(
                    .init(messageID: message.notification.messageId, body: Array(message.notification.message.utf8), source: source,
                          attributes: message.notification.stringAttributes),
                    subscription, logger: logger)
            }
        } catch let rejection as SNSRejection {
            subscription.counters.rejected.increment()
            switch rejection {
            case .malformed(let reason):
                logger.warning("sns_rejected: \(reason); answered 400, nothing delivered")
                return Answer(400, reason)
            case .forged(let reason):
                logger.warning("sns_rejected: \(reason); answered 403, nothing delivered")
                return Answer(403, reason)
            }
        } catch {
            logger.error("sns_failed: \(error); answered 500")
            return Answer(500, "\(error)")
        }
    }

    /// Raw message delivery: the body is the message, the headers say which. SNS does not sign it.
    private func raw(_ subscription: Subscription, header: (String) -> String?, body: [UInt8], logger: Logger) async throws -> Answer {
        guard subscription.configuration.rawDelivery else {
            throw SNSRejection.forged("raw message delivery is not signed; set 'raw_delivery: true' on source '\(subscription.name)' to accept it")
        }
        try check(topic: header("x-amz-sns-topic-arn") ?? "", of: subscription)
        guard let messageID = header("x-amz-sns-message-id"), !messageID.isEmpty else {
            throw SNSRejection.malformed("a raw delivery without the x-amz-sns-message-id header")
        }
        var logger = logger
        logger[metadataKey: "router.message_id"] = "\(messageID)"
        return await deliver(
            .init(messageID: messageID, body: body, source: subscription.name, attributes: [:]), subscription, logger: logger)
    }

    private func check(topic: String, of subscription: Subscription) throws(SNSRejection) {
        guard topic == subscription.configuration.topic.description else {
            throw .forged("topic '\(topic)' is not source '\(subscription.name)''s topic \(subscription.configuration.topic)")
        }
    }

    private func confirm(_ message: SNSHTTPMessage, _ subscription: Subscription, logger: Logger) async -> Answer {
        guard let url = message.subscribeURL else { return Answer(400, "a SubscriptionConfirmation without SubscribeURL") }
        do {
            _ = try await subscription.signingHost.fetch(url, deadline: .now + .seconds(10))
            logger.info("sns_subscribed: confirmed the subscription to \(message.notification.topicArn)")
            return Answer(200, "confirmed")
        } catch {
            logger.error("sns_confirm_failed: could not confirm the subscription to \(message.notification.topicArn): \(error); answered 502, SNS will ask again")
            return Answer(502, "could not confirm: \(error)")
        }
    }

    private func deliver(_ item: BatchDelivery.Item, _ subscription: Subscription, logger: Logger) async -> Answer {
        let counters = subscription.counters
        counters.received.increment()
        switch await subscription.delivered.claim(item.messageID) {
        case .delivered:
            counters.duplicates.increment()
            logger.info("sns_duplicate: message already delivered within the dedupe window; answered 200")
            return Answer(200, "already delivered")
        case .inFlight:
            counters.duplicates.increment()
            return Answer(503, "this message is being delivered; try again")
        case .claimed:
            let deadline = ContinuousClock.now + subscription.configuration.deadline
            let outcome = await delivery.deliver([item], deadline: deadline, logger: logger).outcomes[0]
            await subscription.delivered.settle(item.messageID, acknowledged: !outcome.needsRetry)
            return Answer(outcome.needsRetry ? 503 : 200, reports: outcome.reports)
        }
    }

    /// `notification_router_sns_{received,rejected,duplicates}_total{source}`.
    struct Counters {
        let received: Counter
        let rejected: Counter
        let duplicates: Counter

        init(source: String) {
            let dimensions = [("source", source)]
            received = Counter(label: "notification_router_sns_received_total", dimensions: dimensions)
            rejected = Counter(label: "notification_router_sns_rejected_total", dimensions: dimensions)
            duplicates = Counter(label: "notification_router_sns_duplicates_total", dimensions: dimensions)
        }
    }
}
