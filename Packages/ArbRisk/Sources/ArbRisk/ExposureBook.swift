import ArbCore

/// Where the account stands against its reference inventory, per venue and asset, and
/// what its open orders could still do to it. Exposure is counted on assets that are not
/// cash (`RiskLimits.isCash`): a cell's exposure is the larger of what the position
/// change would be if every open buy filled and if every open sell filled (worst case),
/// valued at the asset's mark. Values are kept up to date as orders go and fill, so a
/// check reads sums and computes only the cells the order touches.
///
/// Layout and arithmetic are chosen for the check's cost: one array of cells and one of
/// asset lines (a check touches two of each), raw `Int128`s, and values kept scaled
/// (units × mark in raw fixed point, 1e9 times the value's raw) so that a check
/// multiplies and compares but never divides. Every quantity entering the book is
/// clamped to ±2^100 raw (10^21 units, beyond any real balance), so the few sums a check
/// forms cannot overflow and use wrapping operations.
public struct ExposureBook: Sendable {
    struct Cell: Sendable {
        /// Total balance, the reference it is measured against, open orders' pending
        /// inflow and outflow, and the worst case valued (scaled).
        var balance: Int128 = 0
        var reference: Int128 = 0
        var plus: Int128 = 0
        var minus: Int128 = 0
        var value: Int128 = 0
        /// The limits on this cell (`applyLimits`): balance floor and band, open-ended
        /// where not set.
        var floor: Int128 = .min
        var bandMin: Int128 = .min
        var bandMax: Int128 = .max
    }
    struct Line: Sendable {
        /// Across venues: position change, pending inflow and outflow, worst case valued
        /// (scaled); the value of one unit (raw, 0 until priced).
        var change: Int128 = 0
        var plus: Int128 = 0
        var minus: Int128 = 0
        var value: Int128 = 0
        var mark: Int128 = 0
        var isCash = false
        /// The symbol tier's limits on this asset: net position (raw units; max when not
        /// set) and imbalance (a ratio's raw; -1 when not set).
        var maxNetPosition: Int128 = .max
        var maxImbalance: Int64 = -1
    }
    let venueCount: Int
    let assetCount: Int
    var cells: ContiguousArray<Cell>
    var lines: ContiguousArray<Line>
    /// Scaled sums.
    var venueScaled: ContiguousArray<Int128>
    var grossScaled: Int128 = 0
    var netScaled: Int128 = 0

    public var grossExposure: Amount { Self.amount(grossScaled) }
    public var netExposure: Amount { Self.amount(netScaled) }
    public func venueExposure(_ v: VenueId) -> Amount { Self.amount(venueScaled[v.index]) }
    public func balance(_ v: VenueId, _ a: AssetId) -> Amount { Amount(raw: cells[cell(v, a)].balance) }
    public func reference(_ v: VenueId, _ a: AssetId) -> Amount { Amount(raw: cells[cell(v, a)].reference) }
    public func mark(_ a: AssetId) -> Amount? { lines[a.index].mark > 0 ? Amount(raw: lines[a.index].mark) : nil }

    // Constants are computed, not stored `static let`s: an `Int128` one is initialised
    // lazily, and every check paid a `swift_once` to read it.
    @inline(__always) static var unit: Int128 { Int128(FixedDecimal.unit) }
    /// Where scaled values saturate: far below Int128's range, so sums of many cannot overflow.
    @inline(__always) static var saturation: Int128 { 1 << 116 }
    @inline(__always) static var bound: Int128 { 1 << 100 }
    /// A scaled value as an amount, rounded up (exposure errs large).
    static func amount(_ scaled: Int128) -> Amount { Amount(raw: FixedDecimal.divide(scaled, by: unit, rounding: .up)) }
    /// An amount in the scaled form, to compare with scaled values (saturating).
    @inline(__always) static func scaled(_ a: Amount) -> Int128 {
        let (x, overflow) = a.raw.multipliedReportingOverflow(by: unit)
        return overflow || x > saturation || x < -saturation ? (a.raw < 0 ? -saturation : saturation) : x
    }
    @inline(__always) static func clamp(_ x: Int128) -> Int128 { x > bound ? bound : x < -bound ? -bound : x }

    init(venueCount: Int, assetCount: Int, isCash: [Bool]) {
        self.venueCount = venueCount; self.assetCount = assetCount
        cells = ContiguousArray(repeating: Cell(), count: venueCount * assetCount)
        lines = ContiguousArray((0..<assetCount).map { Line(isCash: isCash[$0]) })
        venueScaled = ContiguousArray(repeating: 0, count: venueCount)
    }

    @inline(__always) func cell(_ v: VenueId, _ a: AssetId) -> Int { v.index * assetCount + a.index }

    /// Copies the per-cell and per-asset limits next to the data a check reads.
    mutating func applyLimits(_ limits: RiskLimits) {
        for v in 0..<venueCount {
            for a in 0..<assetCount {
                let c = v * assetCount + a
                let floors = limits.exchanges[v].balanceFloors
                cells[c].floor = a < floors.count ? floors[a].map { Self.clamp($0.raw) } ?? .min : .min
                cells[c].bandMin = limits.bands[v][a].map { Self.clamp($0.min.raw) } ?? .min
                cells[c].bandMax = limits.bands[v][a].map { Self.clamp($0.max.raw) } ?? .max
            }
        }
        for a in 0..<assetCount {
            lines[a].maxNetPosition = limits.symbols[a].maxNetPosition.map { Self.clamp($0.raw) } ?? .max
            lines[a].maxImbalance = limits.symbols[a].maxImbalance?.raw ?? -1
            lines[a].isCash = limits.isCash[a]
        }
        revalueAll()
    }

    /// The worst-case size of a position change `d` with pending inflow `p` and outflow
    /// `m` (both non-negative; all within the clamp: no overflow): the larger of |d + p|
    /// and |d − m|. As d + p ≥ d − m, that is max(d + p, m − d): one comparison, no branch
    /// on the signs (the check's costliest mispredictions were here).
    @inline(__always) static func worst(_ d: Int128, _ p: Int128, _ m: Int128) -> Int128 {
        let up = d &+ p, down = m &- d
        return up > down ? up : down
    }

    /// `units` (non-negative) at `mark`, scaled; saturates.
    @inline(__always) static func value(_ units: Int128, _ mark: Int128) -> Int128 {
        // Both below 2^62 (and non-negative): one test of the high bits.
        if (units | mark) >> 62 == 0 { return units &* mark }
        let (product, overflow) = units.multipliedReportingOverflow(by: mark)
        return overflow || product > saturation ? saturation : product
    }

    /// `units` of asset `a` at its mark, scaled (an order's value).
    @inline(__always) func value(_ units: Amount, _ a: Int) -> Int128 { Self.value(Self.clamp(units.raw), lines[a].mark) }

    @inline(__always) static func valued(_ c: Cell, _ line: Line) -> Int128 {
        line.isCash ? 0 : value(worst(c.balance &- c.reference, c.plus, c.minus), line.mark)
    }
    @inline(__always) static func valuedNet(_ line: Line) -> Int128 {
        line.isCash ? 0 : value(worst(line.change, line.plus, line.minus), line.mark)
    }

    /// Re-values cell (v, a) and the asset's net line after they changed.
    mutating func revalue(_ v: VenueId, _ a: AssetId) {
        let c = cell(v, a)
        let newCell = Self.valued(cells[c], lines[a.index])
        venueScaled[v.index] += newCell - cells[c].value
        grossScaled += newCell - cells[c].value
        cells[c].value = newCell
        let newNet = Self.valuedNet(lines[a.index])
        netScaled += newNet - lines[a.index].value
        lines[a.index].value = newNet
    }

    /// Every value again (new marks).
    mutating func revalueAll() {
        grossScaled = 0; netScaled = 0
        for v in 0..<venueCount {
            venueScaled[v] = 0
            for a in 0..<assetCount {
                let c = v * assetCount + a
                cells[c].value = Self.valued(cells[c], lines[a])
                venueScaled[v] += cells[c].value
            }
            grossScaled += venueScaled[v]
        }
        for a in 0..<assetCount {
            lines[a].value = Self.valuedNet(lines[a])
            netScaled += lines[a].value
        }
    }

    /// A new mark for asset `a` (the value of one unit).
    mutating func setMark(_ a: AssetId, _ unitValue: Amount) { lines[a.index].mark = Self.clamp(unitValue.raw) }

    /// The venue's balance of an asset changed (a fill, a fee, a transfer).
    mutating func setBalance(_ v: VenueId, _ a: AssetId, _ total: Amount) {
        let c = cell(v, a), x = Self.clamp(total.raw)
        lines[a.index].change += x - cells[c].balance
        cells[c].balance = x
        revalue(v, a)
    }

    /// The reference a venue's balance is measured against (the starting balance, or a
    /// band's target).
    mutating func setReference(_ v: VenueId, _ a: AssetId, _ amount: Amount) {
        let c = cell(v, a), x = Self.clamp(amount.raw)
        lines[a.index].change -= x - cells[c].reference
        cells[c].reference = x
        revalue(v, a)
    }

    /// An open order's pending inflow and outflow grow (`sign` +1) or shrink (−1).
    mutating func pend(_ v: VenueId, inflow: AssetId, _ inAmount: Amount, outflow: AssetId, _ outAmount: Amount, sign: Int) {
        let cin = cell(v, inflow), cout = cell(v, outflow)
        let i = Self.clamp(inAmount.raw) * Int128(sign), o = Self.clamp(outAmount.raw) * Int128(sign)
        cells[cin].plus += i; lines[inflow.index].plus += i
        cells[cout].minus += o; lines[outflow.index].minus += o
        revalue(v, inflow)
        revalue(v, outflow)
    }

    /// What the exposure sums would be with one more order pending: per touched cell the
    /// worst case before and after, in units (for "does it reduce") and valued.
    struct Projection {
        /// Scaled values.
        var venueExposure: Int128 = 0
        var grossExposure: Int128 = 0
        var netExposure: Int128 = 0
        /// Worst-case net position change of the order's base after it, in units (raw).
        var baseNetAfter: Int128 = 0
        /// No touched non-cash cell or net line grows.
        var reduces = true
        /// An asset that would take on exposure has no mark.
        var unmarked = false
    }

    /// Fills `p` (fresh) for an order on venue `v`.
    @inline(__always)
    func project(_ p: inout Projection, _ v: VenueId, inflow: AssetId, _ inAmount: Amount, outflow: AssetId, _ outAmount: Amount, base: AssetId) {
        p.venueExposure = venueScaled[v.index]
        p.grossExposure = grossScaled
        p.netExposure = netScaled
        p.baseNetAfter = Self.worst(lines[base.index].change, lines[base.index].plus, lines[base.index].minus)
        // Two cells at most: one method called twice, not an array of them, so a check
        // allocates nothing. (A nested function capturing `p` would box it and check
        // exclusivity at run time.) Base first, then quote, whichever way the order
        // goes: the quote is mostly cash, so the branch skipping cash predicts well.
        let i = Self.clamp(inAmount.raw), o = Self.clamp(outAmount.raw)
        let buy = inflow == base
        let quote = buy ? outflow : inflow
        touch(&p, v, base, buy ? i : 0, buy ? 0 : o, base: base)
        touch(&p, v, quote, buy ? 0 : i, buy ? o : 0, base: base)
    }

    @inline(__always)
    func touch(_ p: inout Projection, _ v: VenueId, _ asset: AssetId, _ inAmt: Int128, _ outAmt: Int128, base: AssetId) {
        let a = asset.index
        guard !lines[a].isCash else { return }
        let c = cell(v, asset)
        let d = cells[c].balance &- cells[c].reference
        let before = Self.worst(d, cells[c].plus, cells[c].minus)
        let after = Self.worst(d, cells[c].plus &+ inAmt, cells[c].minus &+ outAmt)
        let netBefore = Self.worst(lines[a].change, lines[a].plus, lines[a].minus)
        let netAfter = Self.worst(lines[a].change, lines[a].plus &+ inAmt, lines[a].minus &+ outAmt)
        if after > before || netAfter > netBefore {
            p.reduces = false
            if lines[a].mark == 0 { p.unmarked = true }
        }
        let delta = Self.value(after, lines[a].mark) &- cells[c].value
        p.venueExposure = p.venueExposure &+ delta
        p.grossExposure = p.grossExposure &+ delta
        p.netExposure = p.netExposure &+ (Self.value(netAfter, lines[a].mark) &- lines[a].value)
        if asset == base { p.baseNetAfter = netAfter }
    }

    /// Whether an order with these flows (clamped raw amounts) on venue `v` stays within
    /// every exposure limit even in the worst case, so the exact projection can be skipped.
    /// A touched cell's worst case, and its asset's net line, grow by at most the amount
    /// flowing (max(d + p + i, m − d) ≤ max(d + p, m − d) + i), so every valued sum grows
    /// by at most the flows' value at their marks; the base's net position by at most the
    /// quantity. False where an asset taking the flow has no mark (the exact path decides).
    @inline(__always)
    func withinHeadroom(_ v: Int, inflow: AssetId, _ inAmt: Int128, outflow: AssetId, _ outAmt: Int128, base: AssetId,
                        baseQuantity: Int128, limits: ScaledLimits) -> Bool {
        let lin = lines[inflow.index], lout = lines[outflow.index]
        if (!lin.isCash && lin.mark == 0) || (!lout.isCash && lout.mark == 0) { return false }
        let most = (lin.isCash ? 0 : Self.value(inAmt, lin.mark)) &+ (lout.isCash ? 0 : Self.value(outAmt, lout.mark))
        let line = lines[base.index]
        // Sums stay below 2^120 and `most` below 2^117: the wrapping adds cannot overflow.
        return venueScaled[v] &+ most <= limits.venueExposure[v]
            && grossScaled &+ most <= limits.grossExposure
            && netScaled &+ most <= limits.netExposure
            && Self.worst(line.change, line.plus, line.minus) &+ baseQuantity <= line.maxNetPosition
    }

    /// The lowest and highest the venue's balance could go with its open orders.
    @inline(__always) func lowest(_ v: VenueId, _ a: AssetId) -> Amount { let c = cells[cell(v, a)]; return Amount(raw: c.balance &- c.minus) }
    @inline(__always) func highest(_ v: VenueId, _ a: AssetId) -> Amount { let c = cells[cell(v, a)]; return Amount(raw: c.balance &+ c.plus) }

    /// (largest − smallest venue balance) across venues before and after `change` on
    /// venue `v`, and the total after: one pass.
    @inline(__always)
    func spread(_ a: AssetId, change: Int128, on v: Int) -> (before: Int128, after: Int128, total: Int128) {
        guard venueCount > 0 else { return (0, 0, 0) }
        var lo = Int128.max, hi = Int128.min, lo2 = Int128.max, hi2 = Int128.min, total: Int128 = 0
        for venue in 0..<venueCount {
            let b = cells[venue * assetCount + a.index].balance
            let b2 = venue == v ? b &+ change : b
            lo = Swift.min(lo, b); hi = Swift.max(hi, b)
            lo2 = Swift.min(lo2, b2); hi2 = Swift.max(hi2, b2); total = total &+ b2
        }
        return (hi &- lo, hi2 &- lo2, total)
    }
}
