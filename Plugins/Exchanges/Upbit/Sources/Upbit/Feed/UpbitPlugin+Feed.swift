import ArbCore
import ArbFeed

extension UpbitPlugin: LiveFeedExchange {
    public func makeFeed(instruments: [FeedInstrument], settings: FeedSettings) throws -> any VenueFeed {
        if let depth = settings.depth, !UpbitFeed.depths.contains(depth) {
            throw PluginConfigurationError(plugin: Self.id, setting: "depth",
                                           message: "\(depth): Upbit's orderbook stream has 1, 5, 15 or 30 levels a side (unset: 30)")
        }
        if let speed = settings.updateSpeedMs {
            throw PluginConfigurationError(plugin: Self.id, setting: "update_speed_ms",
                                           message: "\(speed): Upbit's stream has no update speed to choose; remove the key")
        }
        if settings.restBase != nil {
            throw PluginConfigurationError(plugin: Self.id, setting: "rest_url",
                                           message: "Upbit's books come whole over the websocket; its feed makes no REST request: remove the key")
        }
        return UpbitFeed(instruments: instruments.map { ($0.id, $0.symbol) }, settings: .init(wsBase: settings.wsBase, depth: settings.depth))
    }

    /// `orderbook` frames of `levels` units (ask and bid per unit) around 100,000 KRW,
    /// the first per code a SNAPSHOT, with one `trade` frame in twenty.
    public static func sampleFeed(symbols: [String], levels: Int, messages: Int, seed: UInt64) -> FeedSample {
        var random = SplitMix64(seed: seed)
        var seen = Set<String>()
        var frames: [[UInt8]] = []
        frames.reserveCapacity(messages)
        var total = 0
        for m in 0..<messages {
            let code = symbols[Int(random.next() % UInt64(max(1, symbols.count)))]
            if m % 20 == 19 {
                frames.append(Array(#"{"type":"trade","code":"\#(code)","timestamp":1584508285812,"trade_timestamp":1584508285000,"trade_price":100000,"trade_volume":0.01,"ask_bid":"\#(random.next() % 2 == 0 ? "ASK" : "BID")","sequential_id":\#(m),"stream_type":"REALTIME"}"#.utf8))
                continue
            }
            let units = (0..<max(1, levels / 2)).map { i -> String in
                let size = FixedDecimal.format(raw: Int128(1 + random.next() % 5_000) * 1_000_000, minimumFractionDigits: 3)
                return #"{"ask_price":\#(100_000 + 50 * (i + 1)),"bid_price":\#(100_000 - 50 * (i + 1)),"ask_size":\#(size),"bid_size":\#(size)}"#
            }.joined(separator: ",")
            let type = seen.insert(code).inserted ? "SNAPSHOT" : "REALTIME"
            total += levels
            frames.append(Array(#"{"type":"orderbook","code":"\#(code)","timestamp":1584486737444,"total_ask_size":1.0,"total_bid_size":1.0,"orderbook_units":[\#(units)],"stream_type":"\#(type)","level":0}"#.utf8))
        }
        return FeedSample(snapshots: [:], frames: frames, levels: total, binaryFrames: true)
    }
}
