import Foundation
import Logging
import RouterCore
import RouterTestSupport
import SQSSource
import Testing

/// The event face of `sqs` sources: which records are whose, envelopes, and the answer.
@Suite("SQS event reader")
struct SQSEventReaderTests {
    static func reader() throws -> any SourceEventReader {
        SQSEventReader(queues: [
            ("plain", try #require(SQSQueue("arn:aws:sqs:us-east-1:1:plain")), .never),
            ("wrapped", try #require(SQSQueue("arn:aws:sqs:us-east-1:1:wrapped")), .always),
        ])
    }

    static func event(_ records: [(id: String, queue: String, body: String)]) -> SourceEvent {
        let objects = records.map { record in
            [
                "messageId": record.id, "body": record.body, "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:\(record.queue)",
                "messageAttributes": ["kind": ["stringValue": "alert", "dataType": "String"]],
            ] as [String: Any]
        }
        return SourceEvent(Array(try! JSONSerialization.data(withJSONObject: ["Records": objects])))
    }

    static let envelope = #"{"Type":"Notification","MessageId":"sns-1","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"{\"data\":1}","MessageAttributes":{"kind":{"Type":"String","Value":"page"}}}"#

    @Test("records are named by their queue's source and keep their attributes; a queue the table lacks has no source")
    func naming() throws {
        let items = try #require(try Self.reader().items(in: Self.event([("m1", "plain", #"{"data":1}"#), ("m2", "elsewhere", #"{"data":2}"#)])))
        #expect(items.map(\.messageID) == ["m1", "m2"])
        #expect(items.map(\.source) == ["plain", nil])
        #expect(items.map { String(decoding: $0.body, as: UTF8.self) } == [#"{"data":1}"#, #"{"data":2}"#])
        #expect(items[0].attributes == ["kind": "alert"])
    }

    @Test("sns_envelope: never keeps the body, always requires an envelope, auto (unlisted queues) unwraps one")
    func envelopes() throws {
        let items = try #require(try Self.reader().items(in: Self.event([
            ("never", "plain", Self.envelope), ("always", "wrapped", Self.envelope), ("always-bare", "wrapped", #"{"data":1}"#),
            ("auto", "elsewhere", Self.envelope),
        ])))
        #expect(String(decoding: items[0].body, as: UTF8.self) == Self.envelope && items[0].unreadable == nil)
        #expect(String(decoding: items[1].body, as: UTF8.self) == #"{"data":1}"# && items[1].attributes == ["kind": "page"])
        #expect(items[2].unreadable?.contains("sns_envelope is always") == true)
        #expect(String(decoding: items[3].body, as: UTF8.self) == #"{"data":1}"#)
    }

    @Test("batchItemFailures lists exactly the records that are not acknowledged")
    func answer() throws {
        let reader = try Self.reader()
        let items = try #require(try reader.items(in: Self.event([("a", "plain", "1"), ("b", "plain", "2"), ("c", "plain", "3")])))
        var returned = DeliveryOutcome()
        returned.mustReturn = true
        let answer = reader.answer(items: items, outcomes: [DeliveryOutcome(), returned, DeliveryOutcome()], logger: Logger(label: "test"))
        #expect(answer == .response(Array(#"{"batchItemFailures":[{"itemIdentifier":"b"}]}"#.utf8)))
    }

    @Test("other events are not its own; an SQS event that does not decode is an error")
    func recognition() throws {
        let reader = try Self.reader()
        #expect(try reader.items(in: SourceEvent(Array(#"{"Records":[{"EventSource":"aws:sns"}]}"#.utf8))) == nil)
        #expect(try reader.items(in: SourceEvent(Array(#"{"data":1}"#.utf8))) == nil)
        #expect(throws: SourceError.self) { try reader.items(in: SourceEvent(Array(#"{"Records":[{"eventSource":"aws:sqs"}]}"#.utf8))) }
    }
}
