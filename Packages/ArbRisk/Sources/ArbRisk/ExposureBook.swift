import ArbCore

/// Where the account stands against its reference inventory, per venue and asset, and
/// what its open orders could still do to it. Exposure is counted on assets that are not
/// cash (`RiskLimits.isCash`): a cell's exposure is the larger of what the position
/// change would be if every open buy filled and if every open sell filled (worst case),
/// valued at the asset's mark. Values are kept up to date as orders go and fill, so a
/// check reads sums and computes only the cells the order touches.
public struct ExposureBook: Sendable {
    let venueCount: Int
    let assetCount: Int
    let isCash: [Bool]
    /// Per cell `venue * assetCount + asset`: total balance, the reference it is measured
    /// against, and the open orders' pending inflow (`plus`) and outflow (`minus`).
    public internal(set) var balance: ContiguousArray<Amount>
    public internal(set) var reference: ContiguousArray<Amount>
    var plus: ContiguousArray<Amount>
    var minus: ContiguousArray<Amount>
    var cellValue: ContiguousArray<Amount>
    /// Value of one unit of each asset in the reporting currency (0 and `hasMark` false
    /// until it has a price).
    public internal(set) var marks: ContiguousArray<Amount>
    var hasMark: ContiguousArray<Bool>
    /// Per asset across venues: position change, pending inflow and outflow, and the
    /// worst case valued.
    var netChange: ContiguousArray<Amount>
    var netPlus: ContiguousArray<Amount>
    var netMinus: ContiguousArray<Amount>
    var netValue: ContiguousArray<Amount>
    public internal(set) var venueExposure: ContiguousArray<Amount>
    public internal(set) var grossExposure: Amount = .zero
    public internal(set) var netExposure: Amount = .zero

    init(venueCount: Int, assetCount: Int, isCash: [Bool]) {
        self.venueCount = venueCount; self.assetCount = assetCount; self.isCash = isCash
        let cells = ContiguousArray(repeating: Amount.zero, count: venueCount * assetCount)
        balance = cells; reference = cells; plus = cells; minus = cells; cellValue = cells
        let assets = ContiguousArray(repeating: Amount.zero, count: assetCount)
        marks = assets; netChange = assets; netPlus = assets; netMinus = assets; netValue = assets
        hasMark = ContiguousArray(repeating: false, count: assetCount)
        venueExposure = ContiguousArray(repeating: .zero, count: venueCount)
    }

    @inline(__always) func cell(_ v: VenueId, _ a: AssetId) -> Int { v.index * assetCount + a.index }

    /// The worst-case size of a position change `d` with pending inflow `p` and outflow `m`.
    @inline(__always) static func worst(_ d: Amount, _ p: Amount, _ m: Amount) -> Amount {
        Swift.max(magnitude(d + p), magnitude(d - m))
    }

    /// `units` of asset `a` at its mark, rounded up (exposure errs large); saturates.
    @inline(__always) func value(_ units: Amount, _ a: Int) -> Amount {
        let mark = marks[a].raw
        if mark == 0 || units.raw == 0 { return .zero }
        let (product, overflow) = units.raw.multipliedReportingOverflow(by: mark)
        if overflow { return Amount(raw: Int128.max / 4) }
        return Amount(raw: FixedDecimal.divide(product, by: Int128(FixedDecimal.unit), rounding: .up))
    }

    /// Worst-case exposure of cell `c` (asset `a`) valued, 0 for cash.
    @inline(__always) func valued(cell c: Int, asset a: Int) -> Amount {
        isCash[a] ? .zero : value(Self.worst(balance[c] - reference[c], plus[c], minus[c]), a)
    }

    @inline(__always) func valuedNet(_ a: Int) -> Amount {
        isCash[a] ? .zero : value(Self.worst(netChange[a], netPlus[a], netMinus[a]), a)
    }

    /// Re-values cell (v, a) and the asset's net line after they changed.
    mutating func revalue(_ v: VenueId, _ a: AssetId) {
        let c = cell(v, a)
        let newCell = valued(cell: c, asset: a.index)
        venueExposure[v.index] += newCell - cellValue[c]
        grossExposure += newCell - cellValue[c]
        cellValue[c] = newCell
        let newNet = valuedNet(a.index)
        netExposure += newNet - netValue[a.index]
        netValue[a.index] = newNet
    }

    /// Every value again (new marks).
    mutating func revalueAll() {
        grossExposure = .zero; netExposure = .zero
        for v in 0..<venueCount {
            venueExposure[v] = .zero
            for a in 0..<assetCount {
                let c = v * assetCount + a
                cellValue[c] = valued(cell: c, asset: a)
                venueExposure[v] += cellValue[c]
            }
            grossExposure += venueExposure[v]
        }
        for a in 0..<assetCount {
            netValue[a] = valuedNet(a)
            netExposure += netValue[a]
        }
    }

    /// The venue's balance of an asset changed (a fill, a fee, a transfer).
    mutating func setBalance(_ v: VenueId, _ a: AssetId, _ total: Amount) {
        let c = cell(v, a)
        netChange[a.index] += total - balance[c]
        balance[c] = total
        revalue(v, a)
    }

    /// The reference a venue's balance is measured against (the starting balance, or a
    /// band's target).
    mutating func setReference(_ v: VenueId, _ a: AssetId, _ amount: Amount) {
        let c = cell(v, a)
        netChange[a.index] -= amount - reference[c]
        reference[c] = amount
        revalue(v, a)
    }

    /// An open order's pending inflow and outflow grow (`sign` +1) or shrink (−1).
    mutating func pend(_ v: VenueId, inflow: AssetId, _ inAmount: Amount, outflow: AssetId, _ outAmount: Amount, sign: Int) {
        let cin = cell(v, inflow), cout = cell(v, outflow)
        if sign > 0 {
            plus[cin] += inAmount; netPlus[inflow.index] += inAmount
            minus[cout] += outAmount; netMinus[outflow.index] += outAmount
        } else {
            plus[cin] -= inAmount; netPlus[inflow.index] -= inAmount
            minus[cout] -= outAmount; netMinus[outflow.index] -= outAmount
        }
        revalue(v, inflow)
        revalue(v, outflow)
    }

    /// What the exposure sums would be with one more order pending: per touched cell the
    /// worst case before and after, in units (for "does it reduce") and valued.
    struct Projection {
        var venueExposure: Amount
        var grossExposure: Amount
        var netExposure: Amount
        /// Worst-case net position change of the order's base after it, in units.
        var baseNetAfter: Amount
        /// No touched non-cash cell or net line grows.
        var reduces: Bool
        /// An asset that would take on exposure has no mark.
        var unmarked: Bool
    }

    func project(_ v: VenueId, inflow: AssetId, _ inAmount: Amount, outflow: AssetId, _ outAmount: Amount, base: AssetId) -> Projection {
        var delta = Amount.zero, netDelta = Amount.zero
        var reduces = true, unmarked = false
        var baseNetAfter = Self.worst(netChange[base.index], netPlus[base.index], netMinus[base.index])
        // Two cells at most (the order's inflow and outflow): a nested function, not an
        // array of them, so a check allocates nothing.
        func touch(_ asset: AssetId, _ inAmt: Amount, _ outAmt: Amount) {
            let a = asset.index
            guard !isCash[a] else { return }
            let c = cell(v, asset)
            let d = balance[c] - reference[c]
            let before = Self.worst(d, plus[c], minus[c])
            let after = Self.worst(d, plus[c] + inAmt, minus[c] + outAmt)
            let netBefore = Self.worst(netChange[a], netPlus[a], netMinus[a])
            let netAfter = Self.worst(netChange[a], netPlus[a] + inAmt, netMinus[a] + outAmt)
            if after > before || netAfter > netBefore {
                reduces = false
                if !hasMark[a] { unmarked = true }
            }
            delta += value(after, a) - cellValue[c]
            netDelta += value(netAfter, a) - netValue[a]
            if asset == base { baseNetAfter = netAfter }
        }
        touch(inflow, inAmount, .zero)
        touch(outflow, .zero, outAmount)
        return Projection(venueExposure: venueExposure[v.index] + delta, grossExposure: grossExposure + delta,
                          netExposure: netExposure + netDelta, baseNetAfter: baseNetAfter, reduces: reduces, unmarked: unmarked)
    }

    /// The lowest and highest the venue's balance could go with its open orders.
    @inline(__always) func lowest(_ v: VenueId, _ a: AssetId) -> Amount { balance[cell(v, a)] - minus[cell(v, a)] }
    @inline(__always) func highest(_ v: VenueId, _ a: AssetId) -> Amount { balance[cell(v, a)] + plus[cell(v, a)] }

    /// (largest − smallest venue balance) and the total across venues, optionally with
    /// `change` added on venue `v`.
    func spread(_ a: AssetId, change: Amount = .zero, on v: VenueId? = nil) -> (spread: Amount, total: Amount) {
        var lo = Amount(raw: .max), hi = Amount(raw: .min), total = Amount.zero
        for venue in 0..<venueCount {
            var b = balance[venue * assetCount + a.index]
            if venue == v?.index { b += change }
            lo = Swift.min(lo, b); hi = Swift.max(hi, b); total += b
        }
        return venueCount == 0 ? (.zero, .zero) : (hi - lo, total)
    }
}

@inline(__always) func magnitude(_ a: Amount) -> Amount { a.isNegative ? Amount.zero - a : a }
