import ArbCore
import ArbFeed

extension BinancePlugin: LiveFeedExchange {
    public func makeFeed(instruments: [FeedInstrument], settings: FeedSettings) throws -> any VenueFeed {
        let depth = settings.depth ?? 1_000
        guard (5...5_000).contains(depth) else {
            throw PluginConfigurationError(plugin: Self.id, setting: "depth",
                                           message: "\(depth) is not a depth GET /api/v3/depth serves: use 5 to 5000 (weight 5 up to 100, 25 up to 500, 50 up to 1000, 250 above)")
        }
        let speed = settings.updateSpeedMs ?? 100
        guard speed == 100 || speed == 1_000 else {
            throw PluginConfigurationError(plugin: Self.id, setting: "update_speed_ms", message: "\(speed): Binance's diff depth stream runs at 100 or 1000 ms")
        }
        return BinanceFeed(instruments: instruments.map { ($0.id, $0.symbol) },
                           settings: .init(wsBase: settings.wsBase, restBase: settings.restBase, snapshotDepth: depth, updateSpeedMs: speed))
    }

    /// Combined-stream `depthUpdate` frames continuing each symbol's snapshot
    /// (`lastUpdateId` 1000), prices around 100 on a 0.01 grid, with one trade frame in
    /// twenty.
    public static func sampleFeed(symbols: [String], levels: Int, messages: Int, seed: UInt64) -> FeedSample {
        var random = SplitMix64(seed: seed)
        var snapshots: [String: [UInt8]] = [:]
        var nextId = [UInt64](repeating: 1_001, count: symbols.count)
        // Price in cents, quantity in thousandths, as Binance's decimal strings.
        func level(_ cents: Int, _ thousandths: UInt64) -> String {
            let p = FixedDecimal.format(raw: Int128(cents) * 10_000_000, minimumFractionDigits: 2)
            let q = FixedDecimal.format(raw: Int128(thousandths) * 1_000_000, minimumFractionDigits: 3)
            return "[\"\(p)\",\"\(q)\"]"
        }
        for s in symbols {
            let bids = (0..<levels).map { level(10_000 - 1 - $0, 1_000 + UInt64($0)) }.joined(separator: ",")
            let asks = (0..<levels).map { level(10_000 + 1 + $0, 1_000 + UInt64($0)) }.joined(separator: ",")
            snapshots[s] = Array(#"{"lastUpdateId":1000,"bids":[\#(bids)],"asks":[\#(asks)]}"#.utf8)
        }
        var frames: [[UInt8]] = []
        frames.reserveCapacity(messages)
        var total = 0
        for m in 0..<messages {
            let k = Int(random.next() % UInt64(max(1, symbols.count)))
            let s = symbols[k], lower = s.lowercased()
            if m % 20 == 19 {
                frames.append(Array(#"{"stream":"\#(lower)@trade","data":{"e":"trade","E":1672515782136,"s":"\#(s)","t":\#(m),"p":"100.00","q":"0.500","T":1672515782136,"m":\#(random.next() % 2 == 0),"M":true}}"#.utf8))
                continue
            }
            let first = nextId[k], last = first + random.next() % 3
            nextId[k] = last + 1
            let half = max(1, levels / 2)
            let bids = (0..<half).map { _ in level(10_000 - 1 - Int(random.next() % 50), random.next() % 4_000) }.joined(separator: ",")
            let asks = (0..<(levels - half)).map { _ in level(10_000 + 1 + Int(random.next() % 50), random.next() % 4_000) }.joined(separator: ",")
            total += levels
            frames.append(Array(#"{"stream":"\#(lower)@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"\#(s)","U":\#(first),"u":\#(last),"b":[\#(bids)],"a":[\#(asks)]}}"#.utf8))
        }
        return FeedSample(snapshots: snapshots, frames: frames, levels: total)
    }
}
