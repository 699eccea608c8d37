import ArbCore

/// Per instrument, when its data last moved: a book older than `limit` (by the local
/// clock) is stale, reported once when it becomes so and once when it recovers.
/// Deliberately on receive time, not exchange time: a venue whose clock drifts must not
/// make a live book look stale, and a connection that delivers nothing must.
public struct StalenessTracker: Sendable {
    public let limit: Duration
    var lastUpdate: [Timestamp]
    public private(set) var isStale: [Bool]
    public private(set) var staleCount = 0

    public init(instruments: Int, limit: Duration, startedAt: Timestamp) {
        self.limit = limit
        lastUpdate = Array(repeating: startedAt, count: instruments)
        isStale = Array(repeating: false, count: instruments)
    }

    /// Data for `instrument` arrived at `time`. Returns true if it was stale until now.
    @inline(__always) @discardableResult
    public mutating func touched(_ instrument: Int, at time: Timestamp) -> Bool {
        guard instrument >= 0 && instrument < lastUpdate.count else { return false }
        lastUpdate[instrument] = time
        guard isStale[instrument] else { return false }
        isStale[instrument] = false
        staleCount -= 1
        return true
    }

    /// Instruments that became stale by `time` (appended to `into`; none twice in a row).
    public mutating func sweep(at time: Timestamp, into newlyStale: inout [Int]) {
        for i in lastUpdate.indices where !isStale[i] && time - lastUpdate[i] > limit {
            isStale[i] = true
            staleCount += 1
            newlyStale.append(i)
        }
    }

    /// How long since `instrument` last moved.
    public func age(_ instrument: Int, at time: Timestamp) -> Duration { time - lastUpdate[instrument] }
}
