import ArgumentParser
import FoundationEssentials
import RouterApp

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a notification request to a local gateway, an SQS queue or an SNS topic.",
        discussion: """
            Give the request as JSON (an argument, or - for standard input), or build it from --users, --exclude, --rooms and \
            --data. --to sends it through a source of the route table (--routes, --env), as the router would receive it. \
            Prints the delivery reports (--local) or the message id (--to, --queue, --topic). AWS credentials, region and \
            endpoints come from the usual AWS variables (AWS_ENDPOINT_URL for a local server).
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(name: .customLong("to"), help: "A source of the route table, by name (it must be one that can be published to: sqs, sns).")
    var source: String?

    @Option(name: .customLong("local"), help: "A dev gateway's URL, e.g. http://127.0.0.1:8080.")
    var localURL: String?

    @Option(name: .customLong("queue"), help: "An SQS queue URL or ARN.")
    var queue: String?

    @Option(name: .customLong("topic"), help: "An SNS topic ARN.")
    var topic: String?

    @Option(help: "Users to deliver to, comma-separated.")
    var users: String?

    @Option(help: "Users never to deliver to, comma-separated.")
    var exclude: String?

    @Option(help: "Rooms whose members to deliver to, comma-separated.")
    var rooms: String?

    @Option(help: "The data to post, as JSON.")
    var data: String?

    @Argument(help: "The whole request as JSON, or - to read it from standard input.")
    var request: String?

    func validate() throws {
        guard [source, localURL, queue, topic].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --local URL, --queue URL and --topic ARN, or --to SOURCE")
        }
        let hasFlags = users != nil || exclude != nil || rooms != nil || data != nil
        guard (request != nil) != hasFlags else {
            throw ValidationError("give either the request as JSON (or -) or --data with --users, --exclude and --rooms, not both")
        }
        if hasFlags && data == nil { throw ValidationError("--data is required when the request is built from flags") }
        if let data {
            do {
                _ = try Payload(json: Array(data.utf8))
            } catch {
                throw ValidationError("--data is not JSON: \(error.problem) at byte \(error.offset) of '\(data)' (a string needs its quotes: --data '\"hi\"')")
            }
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let target: Publisher.Target =
            if let source { .source(source) } else if let localURL { .local(localURL) } else if let queue { .queue(queue) } else { .topic(topic ?? "") }
        let body: String
        if let request {
            body = request == "-" ? String(decoding: StandardStream.readInput(), as: UTF8.self) : request
        } else {
            func list(_ text: String?) -> [String] { (text ?? "").split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty } }
            body = Publisher.compose(users: list(users), exclude: list(exclude), rooms: list(rooms), data: data ?? "null")
        }
        let outcome: Publisher.Outcome
        do {
            outcome = try await Publisher.send(
                body, to: target, routes: options.routesFile, environment: environment, environmentName: options.environmentName)
        } catch let error as ConfigErrors {
            throw fail(error.description)
        } catch {
            throw fail("notification-router publish: \(error)")
        }
        print(outcome.output)
        if !outcome.succeeded { throw ExitCode(1) }
    }
}
