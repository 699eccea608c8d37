import ArbCore

/// The inventory tier over a run: how long each venue's balance of each asset spent out
/// of its band, and the rebalancing planner run every `interval` (event time), its
/// proposals executed as simulated transfers when `execute` is on (paper runs).
public struct InventoryManager: Sendable {
    public var planner: RebalancePlanner
    public var execute: Bool
    public var interval: Duration
    var nextRun: Timestamp = .zero
    var lastReview: Timestamp?
    /// Per cell (`venue * assetCount + asset`): nanoseconds out of band so far.
    public private(set) var outOfBandNanoseconds: [Int64]
    /// Every proposal made, in order (executed or not).
    public private(set) var proposals: [TransferProposal] = []
    /// Asset and sending venue pairs that were out of band with no withdrawal terms.
    public private(set) var blocked: Set<String> = []
    let assetCount: Int

    public init(planner: RebalancePlanner, execute: Bool, interval: Duration, venueCount: Int, assetCount: Int) {
        self.planner = planner; self.execute = execute; self.interval = interval; self.assetCount = assetCount
        outOfBandNanoseconds = Array(repeating: 0, count: venueCount * assetCount)
    }

    /// Time out of band since the last review (each cell judged by its balance with what
    /// is on its way to it).
    mutating func accrue(at now: Timestamp, held: (Int, Int) -> Amount) {
        defer { lastReview = now }
        guard let last = lastReview, now > last else { return }
        let elapsed = now.nanoseconds - last.nanoseconds
        for v in planner.bands.indices {
            for a in 0..<assetCount {
                guard let band = planner.bands[v][a] else { continue }
                if !band.contains(held(v, a)) { outOfBandNanoseconds[v * assetCount + a] &+= elapsed }
            }
        }
    }

    /// The proposals due at `now` (nil when the planner is not due).
    mutating func due(at now: Timestamp, balance: (VenueId, AssetId) -> Amount, inFlight: (VenueId, AssetId) -> Amount)
        -> (proposals: [TransferProposal], blocked: [(AssetId, VenueId)])? {
        guard now >= nextRun else { return nil }
        nextRun = now + interval
        let plan = planner.plan(balance: balance, inFlight: inFlight, at: now)
        proposals.append(contentsOf: plan.proposals)
        return plan
    }

    mutating func noteBlocked(_ text: String) { blocked.insert(text) }
}
