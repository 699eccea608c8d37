import ArbCore

/// The `top_n` universe rule's settings (`[universe]` in the manifest, docs/MANIFEST.md).
public struct TopNRule: Sendable, Hashable {
    /// How many symbols are selected (besides the allowlist).
    public var n: Int
    /// A symbol must have at least this much depth within `depthBps` of the mid on each
    /// venue listing it (the weakest venue counts), in the reporting currency.
    public var minDepth: Amount
    public var depthBps: Int64
    /// …and at least this much traded value over `volumeWindow`, all venues together, in
    /// the reporting currency.
    public var minVolume: Amount
    public var volumeWindow: Duration
    /// How often the ranking is redone.
    public var refresh: Duration
    /// A selected symbol leaves only after ranking below `n + hysteresisRanks` (or
    /// failing a minimum) for `hysteresisTime` without a break.
    public var hysteresisRanks: Int
    public var hysteresisTime: Duration
    /// Always selected (when they are candidates), and never selected.
    public var allow: Set<String>
    public var deny: Set<String>

    public init(n: Int, minDepth: Amount = .zero, depthBps: Int64 = 20, minVolume: Amount = .zero, volumeWindow: Duration = .seconds(3_600),
                refresh: Duration = .seconds(60), hysteresisRanks: Int = 2, hysteresisTime: Duration = .seconds(300),
                allow: Set<String> = [], deny: Set<String> = []) {
        self.n = n; self.minDepth = minDepth; self.depthBps = depthBps; self.minVolume = minVolume; self.volumeWindow = volumeWindow
        self.refresh = refresh; self.hysteresisRanks = hysteresisRanks; self.hysteresisTime = hysteresisTime
        self.allow = allow; self.deny = deny
    }
}

/// One change of the selection, as journaled.
public struct UniverseChange: Sendable, Hashable {
    public var symbol: String
    public var entered: Bool
    /// Rank at the change (0 = most traded), nil when not eligible.
    public var rank: Int?
    public var volume: Amount
    public var depth: Amount
    /// `top_n`, `allowlist`, `denylist`, `below_rank` (below n + k for the hysteresis
    /// time), `below_minimum` (a minimum failed for the hysteresis time).
    public var reason: String
}

/// Ranks candidate symbols on event time from the feed itself, by traded value over a
/// rolling window with a depth and a volume floor, and keeps the top N with hysteresis.
/// Deterministic: the same events give the same changes, so a replay reproduces them.
public struct TopNSelector: Sendable {
    public let rule: TopNRule
    public let symbols: [String]
    /// Candidate index of each instrument (-1: not a candidate, e.g. the FX book).
    let symbolOfInstrument: [Int]
    let instrumentsOfSymbol: [[Int]]
    /// Traded value in ten buckets of the window, per symbol (1e-9 units of the reporting currency).
    var volumeBuckets: [[Int128]]
    var bucketStart: [[Int64]]
    let bucketNs: Int64
    /// Latest depth within the band per instrument.
    var depth: [Amount]
    public private(set) var selected: Set<Int> = []
    /// Since when a selected symbol has been outside n + k or below a minimum.
    var outsideSince: [Int64?]
    public private(set) var nextRefresh: Timestamp

    /// - Parameter symbolOfInstrument: each instrument's candidate (index into `symbols`), or -1.
    public init(rule: TopNRule, symbols: [String], symbolOfInstrument: [Int], start: Timestamp) {
        self.rule = rule
        self.symbols = symbols
        self.symbolOfInstrument = symbolOfInstrument
        var bySymbol = Array(repeating: [Int](), count: symbols.count)
        for (i, s) in symbolOfInstrument.enumerated() where s >= 0 { bySymbol[s].append(i) }
        instrumentsOfSymbol = bySymbol
        volumeBuckets = Array(repeating: Array(repeating: 0, count: 10), count: symbols.count)
        bucketStart = Array(repeating: Array(repeating: .min, count: 10), count: symbols.count)
        bucketNs = max(1, rule.volumeWindow.nanosecondsInt64 / 10)
        depth = Array(repeating: .zero, count: symbolOfInstrument.count)
        outsideSince = Array(repeating: nil, count: symbols.count)
        nextRefresh = start + rule.refresh
    }

    /// A trade worth `value` (reporting currency) on `instrument` at `time`.
    public mutating func traded(_ instrument: InstrumentId, value: Amount, at time: Timestamp) {
        let s = instrument.index < symbolOfInstrument.count ? symbolOfInstrument[instrument.index] : -1
        guard s >= 0, value.raw > 0 else { return }
        let bucket = time.nanoseconds / bucketNs
        let slot = Int(bucket % 10)
        if bucketStart[s][slot] != bucket { bucketStart[s][slot] = bucket; volumeBuckets[s][slot] = 0 }
        // Saturating: a hostile recording's absurd trades must not trap.
        let (sum, overflow) = volumeBuckets[s][slot].addingReportingOverflow(value.raw)
        volumeBuckets[s][slot] = overflow ? .max : sum
    }

    /// The depth within the band of `instrument`'s book, in the reporting currency.
    public mutating func depthChanged(_ instrument: InstrumentId, to value: Amount) {
        guard instrument.index < depth.count else { return }
        depth[instrument.index] = value
    }

    /// Traded value over the window ending at `time`.
    public func volume(_ s: Int, at time: Timestamp) -> Amount {
        let current = time.nanoseconds / bucketNs
        var total: Int128 = 0
        for slot in 0..<10 where bucketStart[s][slot] != .min && current - bucketStart[s][slot] < 10 {
            let (sum, overflow) = total.addingReportingOverflow(volumeBuckets[s][slot])
            total = overflow ? .max : sum
        }
        return Amount(raw: total)
    }

    /// The weakest venue's depth: an arbitrage needs both sides.
    public func depth(_ s: Int) -> Amount {
        var weakest: Amount? = nil
        for i in instrumentsOfSymbol[s] { weakest = weakest.map { min($0, depth[i]) } ?? depth[i] }
        return weakest ?? .zero
    }

    /// Ranks again if the refresh interval has passed; returns the changes, in symbol order.
    public mutating func refreshIfDue(at time: Timestamp) -> [UniverseChange] {
        guard time >= nextRefresh else { return [] }
        nextRefresh = time + rule.refresh
        return refresh(at: time)
    }

    /// Ranks every candidate and applies the rule.
    public mutating func refresh(at time: Timestamp) -> [UniverseChange] {
        let volumes = symbols.indices.map { volume($0, at: time) }
        let depths = symbols.indices.map { depth($0) }
        let eligible = symbols.indices.filter {
            !rule.deny.contains(symbols[$0]) && volumes[$0] >= rule.minVolume && depths[$0] >= rule.minDepth && volumes[$0].raw > 0
        }
        let ranked = eligible.sorted { (volumes[$1], depths[$1], symbols[$0]) < (volumes[$0], depths[$0], symbols[$1]) }
        var rank = Array(repeating: Int?.none, count: symbols.count)
        for (r, s) in ranked.enumerated() { rank[s] = r }
        var changes: [UniverseChange] = []
        func change(_ s: Int, _ entered: Bool, _ reason: String) {
            changes.append(UniverseChange(symbol: symbols[s], entered: entered, rank: rank[s], volume: volumes[s], depth: depths[s], reason: reason))
            if entered { selected.insert(s) } else { selected.remove(s) }
            outsideSince[s] = nil
        }
        let hold = time.nanoseconds
        for s in selected.sorted() {
            if rule.deny.contains(symbols[s]) { change(s, false, "denylist"); continue }
            if rule.allow.contains(symbols[s]) { continue }
            if let r = rank[s], r < rule.n + rule.hysteresisRanks { outsideSince[s] = nil; continue }
            let since = outsideSince[s] ?? hold
            outsideSince[s] = since
            if hold - since >= rule.hysteresisTime.nanosecondsInt64 { change(s, false, rank[s] == nil ? "below_minimum" : "below_rank") }
        }
        for s in symbols.indices where rule.allow.contains(symbols[s]) && !rule.deny.contains(symbols[s]) && !selected.contains(s) {
            change(s, true, "allowlist")
        }
        var filled = selected.filter { !rule.allow.contains(symbols[$0]) }.count
        for s in ranked where filled < rule.n && !selected.contains(s) && rank[s]! < rule.n {
            change(s, true, "top_n")
            filled += 1
        }
        return changes.sorted { ($0.entered ? 1 : 0, $0.symbol) < ($1.entered ? 1 : 0, $1.symbol) }
    }

    /// Depth within `bps` of the mid on both sides of `book`, valued at each level's price
    /// (in the book's quote): the least of the two sides.
    public static func depthWithin(_ bps: Int64, of book: borrowing OrderBook) -> Amount {
        guard let bid = book.bestBid, let ask = book.bestAsk else { return .zero }
        let mid = (Int128(bid.price.raw) + Int128(ask.price.raw)) / 2
        let low = mid - mid * Int128(bps) / 10_000, high = mid + mid * Int128(bps) / 10_000
        var bids = Amount.zero, asks = Amount.zero
        for i in 0..<book.depth(.bid) {
            let level = book.level(.bid, i)
            guard Int128(level.price.raw) >= low else { break }
            bids += Amount.notional(level.price, level.quantity, .down)
        }
        for i in 0..<book.depth(.ask) {
            let level = book.level(.ask, i)
            guard Int128(level.price.raw) <= high else { break }
            asks += Amount.notional(level.price, level.quantity, .down)
        }
        return min(bids, asks)
    }
}
