import ArbCore

/// What moving an asset off a venue costs and takes (the venue's withdrawal terms).
public struct TransferTerms: Sendable, Hashable {
    public var network: String
    /// Charged by the sending venue, in the asset.
    public var withdrawalFee: Amount
    /// The smallest withdrawal the sending venue accepts (before the fee).
    public var withdrawalMinimum: Amount
    /// From the withdrawal to the credit on the other venue.
    public var arrival: Duration
    public init(network: String, withdrawalFee: Amount, withdrawalMinimum: Amount, arrival: Duration) {
        self.network = network; self.withdrawalFee = withdrawalFee; self.withdrawalMinimum = withdrawalMinimum; self.arrival = arrival
    }
}

/// A transfer the planner proposes: `amount` leaves `from` (the fee comes out of it),
/// `amount − fee` arrives on `to` at `arrivesAt`.
public struct TransferProposal: Sendable, Hashable {
    public var asset: AssetId
    public var from: VenueId
    public var to: VenueId
    public var amount: Amount
    public var network: String
    public var fee: Amount
    public var minimum: Amount
    public var arrivesAt: Timestamp
    public var received: Amount { amount - fee }
}

/// Proposes transfers that bring each asset back toward its venues' targets: once a
/// venue has gone `trigger` of the way from its target to its band's edge (0.8 by
/// default; the guard stops entries at the edge itself), from the venue furthest above
/// its target to the one furthest below, the smaller of the two gaps, when the sending
/// venue's terms are known and the amount clears its minimum and its fee. Amounts in
/// flight count at their destination (no transfer is proposed twice). Pure and
/// deterministic: assets, then venues, in id order.
public struct RebalancePlanner: Sendable {
    /// How far toward a band's edge a venue may go before a transfer is proposed.
    public var trigger: Ratio = Ratio("0.8")
    /// `bands[venue][asset]`, and each band's target (its middle unless set).
    public var bands: [[InventoryBand?]]
    public var targets: [[Amount?]]
    /// `terms[venue][asset]`: withdrawal terms from that venue (nil: unknown, no transfer).
    public var terms: [[TransferTerms?]]

    public init(bands: [[InventoryBand?]], targets: [[Amount?]], terms: [[TransferTerms?]]) {
        self.bands = bands; self.targets = targets; self.terms = terms
    }

    func target(_ v: Int, _ a: Int) -> Amount? {
        guard let band = bands[v][a] else { return nil }
        return targets[v][a] ?? Amount(raw: (band.min.raw + band.max.raw) / 2)
    }

    /// Proposals for `balance(venue, asset)` (totals) plus what is in flight to each venue.
    /// Also returns the assets out of band with no known terms to fix them.
    public func plan(balance: (VenueId, AssetId) -> Amount, inFlight: (VenueId, AssetId) -> Amount, at now: Timestamp)
        -> (proposals: [TransferProposal], blocked: [(AssetId, VenueId)]) {
        var proposals: [TransferProposal] = [], blocked: [(AssetId, VenueId)] = []
        let venues = bands.count, assets = bands.first?.count ?? 0
        for a in 0..<assets {
            // Venues with a band on this asset: how far each is from its target (with what is on its way).
            var surplus: (v: Int, gap: Amount)? = nil, deficit: (v: Int, gap: Amount)? = nil
            var outOfBand = false
            for v in 0..<venues {
                guard let band = bands[v][a], let target = target(v, a) else { continue }
                let held = balance(VenueId(v), AssetId(a)) + inFlight(VenueId(v), AssetId(a))
                let high = target + (band.max - target).scaled(by: trigger, .down), low = target - (target - band.min).scaled(by: trigger, .down)
                if held > high || held < low { outOfBand = true }
                if held > high, surplus == nil || held - target > surplus!.gap { surplus = (v, held - target) }
                if held < low, deficit == nil || target - held > deficit!.gap { deficit = (v, target - held) }
            }
            guard outOfBand else { continue }
            // One side out of band: the other side is the venue furthest on the opposite side of its target.
            if surplus == nil || deficit == nil {
                for v in 0..<venues {
                    guard bands[v][a] != nil, let target = target(v, a) else { continue }
                    let held = balance(VenueId(v), AssetId(a)) + inFlight(VenueId(v), AssetId(a))
                    if surplus == nil, deficit?.v != v, held > target, held - target > .zero { surplus = (v, held - target) }
                    if deficit == nil, surplus?.v != v, held < target, target - held > .zero { deficit = (v, target - held) }
                }
            }
            guard let s = surplus, let d = deficit, s.v != d.v else { continue }
            guard let t = terms[s.v][a] else { blocked.append((AssetId(a), VenueId(s.v))); continue }
            // Send enough that what arrives fills the deficit, but no more than the surplus.
            let wanted = d.gap + t.withdrawalFee
            let amount = Swift.min(wanted, s.gap)
            guard amount >= t.withdrawalMinimum, amount > t.withdrawalFee else { continue }
            proposals.append(TransferProposal(asset: AssetId(a), from: VenueId(s.v), to: VenueId(d.v), amount: amount, network: t.network,
                                              fee: t.withdrawalFee, minimum: t.withdrawalMinimum, arrivesAt: now + t.arrival))
        }
        return (proposals, blocked)
    }
}
