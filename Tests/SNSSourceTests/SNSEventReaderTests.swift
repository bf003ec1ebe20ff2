import Foundation
import Logging
import RouterCore
import RouterTestSupport
import SNSSource
import Testing

/// The event face of `sns` sources.
@Suite("SNS event reader")
struct SNSEventReaderTests {
    static func reader() throws -> any SourceEventReader {
        SNSEventReader(topics: [("alerts", try ConfigFixture.configuration(SNSSourceConfiguration.self, "topic: 'arn:aws:sns:us-east-1:1:alerts'"))])
    }

    static func event(_ topics: [String]) -> SourceEvent {
        let records = topics.enumerated().map { index, topic in
            [
                "EventSource": "aws:sns",
                "Sns": [
                    "MessageId": "m\(index)", "TopicArn": "arn:aws:sns:us-east-1:1:\(topic)", "Message": #"{"data":\#(index)}"#,
                    "MessageAttributes": ["kind": ["Type": "String", "Value": "alert"], "blob": ["Type": "Binary", "Value": "AAE="]],
                ] as [String: Any],
            ] as [String: Any]
        }
        return SourceEvent(Array(try! JSONSerialization.data(withJSONObject: ["Records": records])))
    }

    @Test("records are named by their topic's source and carry the string attributes")
    func naming() throws {
        let items = try #require(try Self.reader().items(in: Self.event(["alerts", "other"])))
        #expect(items.map(\.source) == ["alerts", nil])
        #expect(items.map(\.messageID) == ["m0", "m1"])
        #expect(String(decoding: items[1].body, as: UTF8.self) == #"{"data":1}"#)
        #expect(items[0].attributes == ["kind": "alert"])
    }

    @Test("the answer is an invocation error while a transient failure is left, else the reports")
    func answer() throws {
        let reader = try Self.reader()
        let items = try #require(try reader.items(in: Self.event(["alerts"])))
        var retry = DeliveryOutcome()
        retry.reports = [DeliveryReport(route: "main", outcome: .retry(reason: "2 posts failed"))]
        retry.needsRetry = true
        guard case .failure(let type, let message) = reader.answer(items: items, outcomes: [retry], logger: Logger(label: "test")) else {
            Issue.record("a transient failure must fail the invocation")
            return
        }
        #expect(type == "DeliveryIncomplete" && message.contains("2 posts failed"))
        var done = DeliveryOutcome()
        done.reports = [DeliveryReport(route: "main", outcome: .completed)]
        #expect(reader.answer(items: items, outcomes: [done], logger: Logger(label: "test")) == .response(done.reports.reportsJSON))
    }
}
