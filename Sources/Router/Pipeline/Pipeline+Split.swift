import Logging

/// The steps of a split route (`split:`): a task from the work queue is prepared without the
/// stages (they ran on the request it was cut from), a large request is sent as tasks, and a
/// task that stopped early sends its continuation.
extension Pipeline {
    /// A task from the work queue: its request parsed from the bytes it carries, its audience
    /// the one the stages left when it was cut.
    func prepareTask(_ message: Message, logger: Logger) -> Prepared {
        var logger = logger
        let invalid = { (reason: String) -> Prepared in
            let report = DeliveryReport(route: route, messageID: message.messageID, outcome: .invalid(reason: reason))
            log(report, logger: logger)
            return .finished(report)
        }
        guard let split else { return invalid("a split task reached route '\(route)', which has no split: option") }
        let task: WorkTask
        let request: NotificationRequest
        do {
            task = try WorkTask(json: message.body)
            logger[metadataKey: "router.origin_message_id"] = "\(task.origin)"
            logger[metadataKey: "router.task"] = "\(task.id)"
            request = try parser.parse(task.request)
        } catch {
            return invalid(error.reason)
        }
        if let id = request.id { logger[metadataKey: "router.request_id"] = "\(id)" }
        var delivery = Delivery(request: request, context: DeliveryContext(route: route, messageID: message.messageID))
        delivery.audience = task.audience
        let report = DeliveryReport(route: route, requestID: request.id, messageID: message.messageID, outcome: .completed)
        var ready = Ready(delivery: delivery, passed: [], report: report, logger: logger, redeliveryKey: "task:\(task.id)")
        ready.plan = .run(task, split)
        return .ready(ready)
    }

    /// Sends the tasks of every request of the batch that is split, skipping the tasks an
    /// earlier attempt of the same request had sent; by index into `ready`.
    func sendSplits(_ ready: [Ready], deadline: ContinuousClock.Instant) async -> [Int: (accepted: [UInt64], failure: String?)] {
        var sends: [Int: (accepted: [UInt64], failure: String?)] = [:]
        for (index, item) in ready.enumerated() {
            guard case .split(let tasks, let splitter) = item.plan else { continue }
            let sent = if let key = item.redeliveryKey { await redelivery.reached(for: key) ?? [] } else { Set<UInt64>() }
            let unsent = tasks.filter { !sent.contains($0.key) }
            if unsent.count < tasks.count {
                item.logger.info("redelivery: \(tasks.count - unsent.count) of \(tasks.count) tasks were sent by an earlier attempt")
            }
            sends[index] = await splitter.send(unsent, deadline: deadline)
        }
        return sends
    }

    /// After a task's posts: sends the continuation of what is left (the work its reader did
    /// not reach, and the connections of pages read whose posts did not end), or counts the
    /// task finished. A task handed on is acknowledged: no post that ended is repeated. Only
    /// a 403 or a failed read send the task back whole; one past `max_hops` is reported
    /// invalid instead of continuing.
    func continueTask(
        _ task: WorkTask, after reader: TaskReader?, sinkReport: SinkReport, _ splitter: Splitter, _ report: inout DeliveryReport,
        deadline: ContinuousClock.Instant, logger: Logger
    ) async {
        guard sinkReport.forbidden == 0, sinkReport.readError == nil else { return }
        let rest = reader?.rest
        guard rest != nil || !sinkReport.unfinished.isEmpty else {
            report.tasksFinished = 1
            return
        }
        guard task.hop < splitter.settings.maxHops else {
            report.outcome = .invalid(
                reason: "task \(task.id) needs a continuation after \(task.hop) of max_hops \(splitter.settings.maxHops); the rest of its part is not delivered")
            return
        }
        let continuation = task.continuation(rest, unfinished: sinkReport.unfinished)
        let (accepted, failure) = await splitter.send([continuation], deadline: deadline)
        if accepted.isEmpty {
            report.outcome = .retry(reason: failure ?? "the continuation of task \(task.id) was not sent")
            return
        }
        report.outcome = .completed
        report.tasksContinued = 1
        let retried = sinkReport.unfinished.isEmpty ? "" : " and \(sinkReport.unfinished.count) unfinished connections"
        logger.info("continued: task \(continuation.id) takes the rest of part \(task.part) of \(task.parts)\(retried)")
    }
}
