import ArbCore
import ArbRecorder
import Foundation

/// `arbd recorder inspect` and `stats`: what a recording holds.
public enum RecordingTools {
    /// What a recording holds; with `verify`, every block's checksums and decoding are
    /// checked and the damaged ones named (plain inspect reads only the header and index).
    public static func inspect(_ path: String, verify: Bool = false) throws -> String {
        let r = try RecordingFileReader(path: path)
        var out = "\(path)\n"
        out += "  format \(r.header.formatVersion), source \(r.header.source), zstd level \(r.header.compressionLevel), \(r.fileSize) bytes\n"
        out += "  venues \(r.header.venues.joined(separator: ", ")); instruments:\n"
        for (i, e) in r.header.instruments.enumerated() {
            out += "    #\(i) \(e.venue) \(e.symbol) (\(e.base)/\(e.quote)), price unit \(e.priceUnit), quantity unit \(e.quantityUnit) (1e-9)\n"
        }
        out += "  \(r.blocks.count) blocks, \(r.eventCount) events"
        if let first = r.blocks.first, let last = r.blocks.last {
            out += String(format: ", %.3f s of receive time", Double(last.lastTimeNs - first.firstTimeNs) / 1e9)
        }
        out += "\n"
        if let recovery = r.recovery { out += "  WARNING: \(recovery); `arbd recorder repair \(path)` writes a repaired copy\n" }
        if verify {
            let damaged = r.damagedBlocks()
            if damaged.isEmpty {
                out += "  verified: every block's checksums and contents are intact\n"
            } else {
                let lost = damaged.reduce(0) { $0 + r.blocks[$1].count }
                out += "  DAMAGED: blocks \(damaged.map(String.init).joined(separator: ", ")) fail verification (\(lost) events); "
                    + "`arbd recorder repair \(path)` writes a copy without them\n"
            }
        } else {
            out += "  not verified (header and index only); `--verify` checks every block\n"
        }
        return out
    }

    public struct Stats: Codable, Sendable {
        public struct Row: Codable, Sendable {
            public var venue: String
            public var symbol: String
            public var deltas = 0
            public var snapshots = 0
            public var trades = 0
            public var gaps = 0
            public var reconnects = 0
            public var resyncs = 0
            public var stale = 0
        }
        public var files: Int
        public var events: Int
        public var bytes: Int
        public var bytesPerEvent: Double
        public var rows: [Row]
    }

    public static func stats(_ paths: [String]) throws -> Stats {
        var rows: [String: Stats.Row] = [:]
        var events = 0, bytes = 0
        for path in paths {
            let r = try RecordingFileReader(path: path)
            bytes += r.fileSize
            var buffer: [MarketEvent] = []
            for b in r.blocks.indices {
                buffer.removeAll(keepingCapacity: true)
                try r.readBlock(b, into: &buffer)
                for e in buffer {
                    let entry = r.header.instruments[e.instrument.index]
                    let key = "\(entry.venue) \(entry.symbol)"
                    var row = rows[key] ?? Stats.Row(venue: entry.venue, symbol: entry.symbol)
                    switch e {
                    case .bookDelta: row.deltas += 1
                    case .bookSnapshot: row.snapshots += 1
                    case .trade: row.trades += 1
                    case .status(let s):
                        switch s.kind { case .gap: row.gaps += 1; case .reconnect: row.reconnects += 1; case .resync: row.resyncs += 1; case .stale: row.stale += 1 }
                    }
                    rows[key] = row
                    events += 1
                }
            }
        }
        return Stats(files: paths.count, events: events, bytes: bytes, bytesPerEvent: events > 0 ? Double(bytes) / Double(events) : 0,
                     rows: rows.keys.sorted().map { rows[$0]! })
    }

    public static func render(_ s: Stats) -> String {
        var out = String(format: "%d files, %d events, %d bytes (%.2f bytes/event)\n", s.files, s.events, s.bytes, s.bytesPerEvent)
        out += "venue      symbol        deltas  snapshots     trades  gaps  reconnects  resyncs  stale\n"
        for r in s.rows {
            out += String(format: "%-10@ %-10@ %9d %10d %10d %5d %11d %8d %6d\n", r.venue as NSString, r.symbol as NSString,
                          r.deltas, r.snapshots, r.trades, r.gaps, r.reconnects, r.resyncs, r.stale)
        }
        return out
    }
}
