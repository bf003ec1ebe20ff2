import Foundation
import Logging
@testable import RouterApp
import RouterCore
import RouterTestSupport
import Testing

@Suite("Lambda mode parts")
struct LambdaPartsTests {
    @Test("an EMF line declares every counter and carries the route's sums")
    func embeddedMetrics() throws {
        var first = DeliveryReport(route: "main", outcome: .completed)
        first.delivered = 3
        first.gone = 2
        first.pruned = 2
        var second = DeliveryReport(route: "main", outcome: .retry(reason: "x"))
        second.delivered = 1
        second.failed = 1
        second.skipped = 4
        let invalid = DeliveryReport(route: "main", outcome: .invalid(reason: "bad"))
        let line = EmbeddedMetrics.line(route: "main", reports: [first, second, invalid], duration: .milliseconds(1500), timestamp: Date(timeIntervalSince1970: 1_764_403_200))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let aws = try #require(object["_aws"] as? [String: Any])
        #expect(aws["Timestamp"] as? Int == 1_764_403_200_000)
        let directive = try #require((aws["CloudWatchMetrics"] as? [[String: Any]])?.first)
        #expect(directive["Namespace"] as? String == "NotificationRouter")
        #expect(directive["Dimensions"] as? [[String]] == [["Route"]])
        let names = (directive["Metrics"] as? [[String: String]] ?? []).compactMap { $0["Name"] }
        #expect(names == ["Delivered", "Gone", "Pruned", "Throttled", "Forbidden", "Failed", "Rejected", "Invalid", "Skipped", "TasksCreated", "TasksContinued", "TasksFinished", "FanOutDuration"])
        #expect(object["Route"] as? String == "main")
        #expect(object["Delivered"] as? Int == 4 && object["Gone"] as? Int == 2 && object["Pruned"] as? Int == 2)
        #expect(object["Failed"] as? Int == 1 && object["Skipped"] as? Int == 4 && object["Invalid"] as? Int == 1)
        #expect(object["FanOutDuration"] as? Double == 1500)
    }

    @Test("the fan-out deadline leaves a fifth of the time left, at most 500 ms, to answer")
    func fanOutDeadline() {
        let now = ContinuousClock.now
        #expect(LambdaEventHandler.fanOutDeadline(now + .milliseconds(300), now: now) == now + .milliseconds(240))
        #expect(LambdaEventHandler.fanOutDeadline(now + .seconds(30), now: now) == now + .milliseconds(29_500))
    }

    @Test("JSON log lines carry the message, level and metadata")
    func jsonLogs() throws {
        let lines = LogLines()
        var logger = Logger(label: "router") { label in JSONLogHandler(label: label, level: .info, write: { lines.append($0) }) }
        logger[metadataKey: "aws.request_id"] = "r-1"
        logger.info("delivered", metadata: ["router.route": "main"])
        logger.debug("not at info")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: String])
        #expect(lines.all.count == 1)
        #expect(object["message"] == "delivered" && object["level"] == "INFO" && object["aws.request_id"] == "r-1" && object["router.route"] == "main")
    }

}
