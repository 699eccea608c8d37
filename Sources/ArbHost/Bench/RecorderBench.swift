import ArbCore
import ArbRecorder
import ArbSynthetic
import Foundation

/// The recorder benchmark: one generated L2 stream stored as Arbor's format, as Tardis
/// CSV + gzip -6 and as JSON lines + zstd -3; write and read speed; Tardis import speed.
public struct RecorderBench {
    public struct Result: Codable, Sendable {
        public var updates: Int
        public var instruments: Int
        public var arborBytes: Int
        public var arborBytesPerEvent: Double
        public var arborWriteEventsPerS: Double
        public var arborReadEventsPerS: Double
        public var csvGzBytes: Int
        public var csvGzBytesPerEvent: Double
        public var jsonlZstdBytes: Int
        public var jsonlZstdBytesPerEvent: Double
        public var ratioToCsvGz: Double
        public var tardisImportRowsPerS: Double
    }

    public let updates: Int
    public let seed: UInt64
    public init(updates: Int, seed: UInt64 = 3) { self.updates = updates; self.seed = seed }

    /// 20 instruments on 2 venues; messages of 1–7 updates (mean 4) at one local time; most
    /// updates within a few ticks of the touch; lognormal sizes in lots; exchange times in
    /// ms, local times in µs a few ms later.
    func generate() -> ([MarketEvent], [RecordingHeader.InstrumentEntry]) {
        var rng = SplitMix64(seed: seed)
        var entries: [RecordingHeader.InstrumentEntry] = []
        var ticks: [Int64] = [], lots: [Int64] = [], mids: [Int64] = []
        let bases = ["BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "AVAX", "LINK", "DOT", "TRX"]
        let prices: [Int64] = [95_000, 3_300, 180, 2, 1, 1, 28, 17, 5, 1]   // whole units, for the scale of ticks
        for venue in ["binance", "bybit"] {
            for (i, base) in bases.enumerated() {
                let tick: Int64 = prices[i] >= 1_000 ? 10_000_000 : prices[i] >= 10 ? 1_000_000 : 100_000   // 0.01 / 0.001 / 0.0001
                // Lot steps are powers of ten, as listings have them (0.00001 BTC ... 1 DOGE).
                let lot: Int64 = prices[i] >= 10_000 ? 10_000 : prices[i] >= 1_000 ? 100_000 : prices[i] >= 10 ? 1_000_000 : 100_000_000
                entries.append(.init(venue: venue, symbol: base + "USDT", base: base, quote: "USDT", priceUnit: tick, quantityUnit: lot))
                ticks.append(tick); lots.append(lot); mids.append(prices[i] * 1_000_000_000)
            }
        }
        var events: [MarketEvent] = []
        events.reserveCapacity(updates)
        var local: Int64 = 1_767_225_600_000_000_000
        var sequence = [UInt64](repeating: 1_000_000, count: entries.count)
        while events.count < updates {
            local += Int64(rng.below(400)) * 1_000                      // µs steps
            let i = Int(rng.below(UInt64(entries.count)))
            if rng.below(10) == 0 { mids[i] += Int64(rng.symmetric(2)) * ticks[i] }
            let exchange = (local - 2_000_000 - Int64(rng.below(3_000_000))) / 1_000_000 * 1_000_000   // ms
            let size = 1 + Int(rng.below(7))
            for k in 0..<size where events.count < updates {
                let bid = rng.below(2) == 0
                // Geometric distance from the touch: most updates at 0–3 ticks.
                var distance: Int64 = 0
                while rng.below(3) != 0 && distance < 50 { distance += 1 }
                let touch = mids[i] / ticks[i] * ticks[i]
                let price = bid ? touch - (distance + 1) * ticks[i] : touch + (distance + 1) * ticks[i]
                // Lognormal size: exp of a sum of uniforms, in lots; 1 in 8 updates removes the level.
                let normal = Double(rng.bell(1_000)) / 1_000
                let lotsCount = rng.below(8) == 0 ? 0 : max(1, Int64(exp(1.5 + 1.2 * normal)))
                sequence[i] += 1
                events.append(.bookDelta(BookDelta(instrument: InstrumentId(i), side: bid ? .bid : .ask, price: Price(raw: price),
                                                   quantity: Quantity(raw: lotsCount * lots[i]), exchangeTime: Timestamp(nanoseconds: exchange),
                                                   receivedAt: Timestamp(nanoseconds: local), sequence: sequence[i], endOfMessage: k == size - 1)))
            }
        }
        return (events, entries)
    }

    public func run(directory: String) throws -> Result {
        let (events, entries) = generate()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        // Arbor: write.
        let path = directory + "/bench.arbrec"
        let header = RecordingHeader(source: "bench", instruments: entries, startTimeNs: events[0].receivedAt.nanoseconds, compressionLevel: 3)
        var t0 = MonotonicClock.nanoseconds()
        let writer = try RecordingFileWriter(path: path, header: header)
        for e in events { try writer.append(e) }
        try writer.close()
        let writeSeconds = Double(MonotonicClock.nanoseconds() - t0) / 1e9
        // Arbor: read (decode every block into a reused buffer).
        let reader = try RecordingFileReader(path: path)
        var buffer: [MarketEvent] = []
        buffer.reserveCapacity(40_000)
        var read = 0
        t0 = MonotonicClock.nanoseconds()
        for b in reader.blocks.indices {
            buffer.removeAll(keepingCapacity: true)
            try reader.readBlock(b, into: &buffer)
            read += buffer.count
        }
        let readSeconds = Double(MonotonicClock.nanoseconds() - t0) / 1e9
        guard read == events.count else { throw RecordingError(.corrupt, "benchmark read back \(read) of \(events.count) events") }

        // The same rows as Tardis CSV + gzip -6, and JSON lines + zstd -3.
        var csv = Array((TardisImport.bookHeader + "\n").utf8)
        var jsonl: [UInt8] = []
        csv.reserveCapacity(events.count * 70)
        jsonl.reserveCapacity(events.count * 150)
        for e in events {
            guard case .bookDelta(let d) = e else { continue }
            let entry = entries[d.instrument.index]
            let side = d.side == .bid ? "bid" : "ask"
            csv += Array("\(entry.venue),\(entry.symbol),\(d.exchangeTime.nanoseconds / 1_000),\(d.receivedAt.nanoseconds / 1_000),false,\(side),\(d.price),\(d.quantity)\n".utf8)
            jsonl += Array("{\"exchange\":\"\(entry.venue)\",\"symbol\":\"\(entry.symbol)\",\"timestamp\":\(d.exchangeTime.nanoseconds / 1_000),\"local_timestamp\":\(d.receivedAt.nanoseconds / 1_000),\"side\":\"\(side)\",\"price\":\"\(d.price)\",\"amount\":\"\(d.quantity)\"}\n".utf8)
        }
        let csvPath = directory + "/incremental_book_L2.csv.gz"
        let csvGzBytes = try Gzip.write(csv, to: csvPath, level: 6)
        let jsonlZstdBytes = try Zstd.compress(jsonl, level: 3).count

        // Tardis CSV.gz import.
        t0 = MonotonicClock.nanoseconds()
        let imported = try TardisImport.run(inputs: [csvPath], output: directory + "/imported.arbrec")
        let importSeconds = Double(MonotonicClock.nanoseconds() - t0) / 1e9

        let n = Double(events.count)
        return Result(updates: events.count, instruments: entries.count, arborBytes: writer.bytesWritten,
                      arborBytesPerEvent: Double(writer.bytesWritten) / n, arborWriteEventsPerS: n / writeSeconds,
                      arborReadEventsPerS: n / readSeconds, csvGzBytes: csvGzBytes, csvGzBytesPerEvent: Double(csvGzBytes) / n,
                      jsonlZstdBytes: jsonlZstdBytes, jsonlZstdBytesPerEvent: Double(jsonlZstdBytes) / n,
                      ratioToCsvGz: Double(writer.bytesWritten) / Double(csvGzBytes), tardisImportRowsPerS: Double(imported.rows) / importSeconds)
    }
}
