import Synchronization

/// Hands the batches a store reads (possibly from several tasks at once: a segmented Scan,
/// concurrent Queries) to the fan-out's scheduler one at a time, first come first served.
///
/// ``pass(_:)`` returns when the scheduler has taken the whole batch (every connection of it
/// has its slot, or the fan-out stopped during it), so a reader reads no further ahead than
/// posting allows; it returns false when the fan-out had stopped and the batch was not taken. One hand-over per batch, rather
/// than one per connection through a stream, keeps the reader and the scheduler from
/// contending for a lock on every post.
final class BatchHandoff: Sendable {
    private struct Pending {
        let batch: [Connection]
        let taken: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var pending: [Pending] = []
        /// The scheduler, waiting for the next batch.
        var scheduler: CheckedContinuation<[Connection]?, Never>?
        /// The batch being scheduled, whose reader waits.
        var current: CheckedContinuation<Bool, Never>?
        var readingDone = false
        var stopped = false
    }

    private let state = Mutex(State())

    /// Offers `batch` (reader side); true once it was taken, false when the fan-out stopped.
    func pass(_ batch: [Connection]) async -> Bool {
        enum Offer { case handOver(CheckedContinuation<[Connection]?, Never>), queued, refused }
        return await withCheckedContinuation { taken in
            let offer: Offer = state.withLock { state in
                guard !state.stopped else { return .refused }
                if let scheduler = state.scheduler {
                    state.scheduler = nil
                    state.current = taken
                    return .handOver(scheduler)
                }
                state.pending.append(Pending(batch: batch, taken: taken))
                return .queued
            }
            switch offer {
            case .handOver(let scheduler): scheduler.resume(returning: batch)
            case .queued: break
            case .refused: taken.resume(returning: false)
            }
        }
    }

    /// Every batch has been offered (reader side).
    func finishReading() {
        let scheduler = state.withLock { state in
            state.readingDone = true
            defer { state.scheduler = nil }
            return state.pending.isEmpty ? state.scheduler : nil
        }
        scheduler?.resume(returning: nil)
    }

    /// The next batch (scheduler side); nil when reading is done and every batch was taken.
    /// The batch's reader waits until ``taken()`` or ``stop()``.
    func next() async -> [Connection]? {
        await withCheckedContinuation { scheduler in
            let ready: [Connection]?? = state.withLock { state in
                if !state.pending.isEmpty {
                    let first = state.pending.removeFirst()
                    state.current = first.taken
                    return .some(first.batch)
                }
                if state.readingDone { return .some(nil) }
                state.scheduler = scheduler
                return .none
            }
            if let ready { scheduler.resume(returning: ready) }
        }
    }

    /// The current batch is scheduled: its reader may read on.
    func taken() {
        let reader = state.withLock { state in
            defer { state.current = nil }
            return state.current
        }
        reader?.resume(returning: true)
    }

    /// The fan-out stops, during the current batch, which the scheduler accounts for: its
    /// reader is let go (and learns at its next batch), and every batch offered but not taken,
    /// now or later, is refused to its reader, which accounts for it.
    func stop() {
        let (current, pending) = state.withLock { state in
            state.stopped = true
            defer { state.current = nil; state.pending = [] }
            return (state.current, state.pending)
        }
        current?.resume(returning: true)
        for waiting in pending { waiting.taken.resume(returning: false) }
    }
}
