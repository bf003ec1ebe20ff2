import Foundation
import Logging
import RouterApp
import ServiceLifecycle

/// `type: lines`: notification requests, one per line, from a file or standard input.
///
/// ```yaml
/// sources:
///   stdin: { type: lines, path: "-", batch: 10 }
/// ```
/// Each line is one message with the id `<source>:<line number>`; blank lines are skipped.
/// The source reads its input to the end, hands the lines to the router `batch` at a time,
/// and acknowledges each on standard output, as the outcome says: `ack <id>` for a message
/// that will not be needed again, `return <id>` for one to send again (a transient failure,
/// an invalid request on an `on_invalid: dlq` route, a line no route takes). A file has no
/// redelivery, so the returned lines are the caller's to retry.
struct LinesSource: NotificationSource {
    let name: String
    let path: String
    let batch: Int

    func service(delivering delivery: BatchDelivery, logger: Logger) -> (any Service)? {
        LinesReader(source: self, delivery: delivery, logger: logger)
    }

    struct Configuration: SourceConfiguration {
        let path: String
        let batch: Int

        init(options: inout ConfigMapping) throws(ConfigError) {
            path = try options.optional("path")?.nonEmptyString(expected: "a file path, or - for standard input") ?? "-"
            batch = try options.optional("batch")?.int(in: 1...100) ?? 10
        }

        var settings: [ConfigSetting] { [ConfigSetting("path", path), ConfigSetting("batch", "\(batch)")] }

        func makeSource(name: String, _ context: PluginContext) throws(PluginBuildError) -> any NotificationSource {
            LinesSource(name: name, path: path, batch: batch)
        }
    }
}

/// The service face of ``LinesSource``.
struct LinesReader: Service {
    let source: LinesSource
    let delivery: BatchDelivery
    let logger: Logger

    func run() async throws {
        let input = source.path == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: source.path)
        guard let input else {
            logger.error("lines_unreadable: source '\(source.name)' cannot open \(source.path)")
            return
        }
        let text = String(decoding: input.readDataToEndOfFile(), as: UTF8.self)
        let items = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line -> SourceItem? in
            line.allSatisfy(\.isWhitespace) ? nil : SourceItem(messageID: "\(source.name):\(index + 1)", body: Array(line.utf8), source: source.name)
        }
        var start = 0
        while start < items.count, !Task.isCancelled {
            let chunk = Array(items[start..<min(start + source.batch, items.count)])
            let outcomes = await delivery.deliver(chunk, deadline: .now + .seconds(30), logger: logger).outcomes
            let lines = zip(chunk, outcomes).map { item, outcome in "\(outcome.isAcknowledged ? "ack" : "return") \(item.messageID)\n" }
            FileHandle.standardOutput.write(Data(lines.joined().utf8))
            start += source.batch
        }
    }
}
