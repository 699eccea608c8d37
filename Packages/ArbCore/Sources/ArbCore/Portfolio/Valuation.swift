/// Converts amounts of any asset into the run's reporting currency from the live
/// books (e.g. KRW → USDT through Upbit's `KRW-USDT`, BTC → USDT through `BTCUSDT`).
/// Paths are fixed at wiring time; each hop uses the book's mid, or its last valid mid.
public struct Valuation: Sendable {
    public let reportingAsset: AssetId

    struct Hop: Sendable {
        var instrument: InstrumentId
        /// true: the asset is the instrument's base (multiply by mid); false: its quote (divide).
        var assetIsBase: Bool
    }
    let paths: [[Hop]?]
    private var lastMid: [Price]

    /// Builds conversion paths of at most two hops, preferring `preferred` instruments
    /// (the manifest's FX books), then instruments in id order.
    public init(universe: Universe, reportingAsset: AssetId, preferred: [InstrumentId] = []) {
        self.reportingAsset = reportingAsset
        let order = preferred + universe.instruments.map(\.id).filter { !preferred.contains($0) }
        func directHop(from asset: AssetId, to target: AssetId) -> Hop? {
            for id in order {
                let i = universe[id]
                if i.base == asset && i.quote == target { return Hop(instrument: id, assetIsBase: true) }
                if i.quote == asset && i.base == target { return Hop(instrument: id, assetIsBase: false) }
            }
            return nil
        }
        var paths: [[Hop]?] = []
        for index in 0..<universe.assetCount {
            let asset = AssetId(index)
            if asset == reportingAsset { paths.append([]); continue }
            if let hop = directHop(from: asset, to: reportingAsset) { paths.append([hop]); continue }
            var found: [Hop]? = nil
            for middle in 0..<universe.assetCount where middle != index && middle != reportingAsset.index {
                if let first = directHop(from: asset, to: AssetId(middle)),
                   let second = directHop(from: AssetId(middle), to: reportingAsset) {
                    found = [first, second]; break
                }
            }
            paths.append(found)
        }
        self.paths = paths
        self.lastMid = Array(repeating: .zero, count: universe.instruments.count)
    }

    /// The current marks: each path's books at their mid (or last valid mid).
    public mutating func marks(books: ContiguousArray<OrderBook>) -> Marks {
        for i in books.indices {
            if let mid = books[i].mid, mid.raw > 0, !books[i].isCrossed { lastMid[i] = mid }
        }
        return Marks(paths: paths, mids: lastMid)
    }

    /// Whether `asset` can ever be valued.
    public func canValue(_ asset: AssetId) -> Bool { paths[asset.index] != nil }

    /// `amount` of `asset` in the reporting currency; `nil` if no path or no price yet.
    public mutating func value(_ amount: Amount, of asset: AssetId, books: ContiguousArray<OrderBook>) -> Amount? {
        guard let path = paths[asset.index] else { return nil }
        var result = amount
        for hop in path {
            let i = hop.instrument.index
            if let mid = books[i].mid, mid.raw > 0, !books[i].isCrossed { lastMid[i] = mid }
            let mid = lastMid[i]
            guard mid.raw > 0 else { return nil }
            result = hop.assetIsBase ? result.converted(at: mid, .nearestHalfEven) : result.converted(dividingBy: mid, .nearestHalfEven)
        }
        return result
    }
}
