import ArbCore
import Foundation
import Testing
@testable import ArbRecorder

func tempPath(_ name: String) -> String { NSTemporaryDirectory() + "arbrec-\(name)-\(UUID().uuidString.prefix(8)).arbrec" }

let testInstruments = [
    RecordingHeader.InstrumentEntry(venue: "binance", symbol: "BTCUSDT", base: "BTC", quote: "USDT", priceUnit: 10_000_000, quantityUnit: 10_000),
    RecordingHeader.InstrumentEntry(venue: "upbit", symbol: "KRW-BTC", base: "BTC", quote: "KRW", priceUnit: 1_000_000_000, quantityUnit: 10),
    RecordingHeader.InstrumentEntry(venue: "binance", symbol: "ETHUSDT", base: "ETH", quote: "USDT", priceUnit: 10_000_000, quantityUnit: 100_000),
]

struct Rng {
    var s: UInt64
    mutating func next(_ n: UInt64) -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return (s >> 33) % max(1, n) }
    mutating func signed(_ n: Int64) -> Int64 { Int64(next(UInt64(2 * n + 1))) - n }
}

/// A random stream with every kind of event, values on and off the units, time going forward.
func randomEvents(_ count: Int, seed: UInt64) -> [MarketEvent] {
    var r = Rng(s: seed)
    var t: Int64 = 1_767_225_600_000_000_000
    var seq = [UInt64](repeating: 100, count: 3)
    var out: [MarketEvent] = []
    for _ in 0..<count {
        t += Int64(r.next(2_000_000))
        let i = Int(r.next(3))
        let unitP = testInstruments[i].priceUnit, unitQ = testInstruments[i].quantityUnit
        let offUnit = r.next(50) == 0
        let price = Price(raw: (1_000 + Int64(r.next(5_000))) * unitP + (offUnit ? 1 : 0))
        let qty = Quantity(raw: Int64(r.next(10_000)) * unitQ + (offUnit ? 3 : 0))
        let exchange = Timestamp(nanoseconds: t - Int64(r.next(5_000_000)) / 1_000_000 * 1_000_000)
        seq[i] += r.next(20) == 0 ? 5 : 1
        let id = InstrumentId(i)
        switch r.next(40) {
        case 0:
            let levels = { (side: Int64) in (0..<Int(r.next(6))).map { k in
                BookLevel(price: Price(raw: price.raw + side * Int64(k) * unitP), quantity: Quantity(raw: Int64(1 + k) * unitQ)) } }
            out.append(.bookSnapshot(BookSnapshot(instrument: id, bids: levels(-1), asks: levels(1), exchangeTime: exchange,
                                                  receivedAt: Timestamp(nanoseconds: t), sequence: seq[i])))
        case 1...4:
            out.append(.trade(Trade(instrument: id, price: price, quantity: qty, takerSide: r.next(2) == 0 ? .buy : .sell,
                                    exchangeTime: exchange, receivedAt: Timestamp(nanoseconds: t), tradeId: 10_000 + r.next(1_000_000))))
        case 5:
            out.append(.status(FeedStatus(kind: FeedStatus.Kind(rawValue: UInt8(r.next(UInt64(FeedStatus.Kind.allCases.count))))!, instrument: id,
                                          receivedAt: Timestamp(nanoseconds: t), sequence: seq[i], count: r.next(100))))
        default:
            out.append(.bookDelta(BookDelta(instrument: id, side: r.next(2) == 0 ? .bid : .ask, price: price, quantity: qty,
                                            exchangeTime: exchange, receivedAt: Timestamp(nanoseconds: t), sequence: seq[i],
                                            endOfMessage: r.next(4) == 0)))
        }
    }
    return out
}

func write(_ events: [MarketEvent], blockEvents: Int, path: String, close: Bool = true) throws -> RecordingFileWriter {
    let header = RecordingHeader(source: "test", instruments: testInstruments, startTimeNs: events.first?.receivedAt.nanoseconds ?? 0, compressionLevel: 3)
    let w = try RecordingFileWriter(path: path, header: header, blockEvents: blockEvents)
    for e in events { try w.append(e) }
    if close { try w.close() }
    return w
}

@Suite("Recording format")
struct RoundTripTests {
    @Test("random streams come back exactly, whatever the block size", arguments: [
        (UInt64(1), 1), (2, 7), (3, 1_000), (4, 4_096), (5, 100_000),
    ])
    func roundTrip(seed: UInt64, blockEvents: Int) throws {
        let events = randomEvents(5_000, seed: seed)
        let path = tempPath("rt")
        _ = try write(events, blockEvents: blockEvents, path: path)
        let reader = try RecordingFileReader(path: path)
        #expect(reader.recovery == nil)
        #expect(reader.blocks.count == (events.count + blockEvents - 1) / blockEvents)
        #expect(try reader.readAll() == events)
    }

    @Test("block boundaries: empty file, one event, exact multiples")
    func boundaries() throws {
        for (count, block) in [(0, 10), (1, 10), (10, 10), (20, 10), (21, 10), (9, 10)] {
            let events = randomEvents(count, seed: UInt64(count))
            let path = tempPath("b")
            _ = try write(events, blockEvents: block, path: path)
            let reader = try RecordingFileReader(path: path)
            #expect(try reader.readAll() == events, "\(count) events in blocks of \(block)")
            #expect(reader.blocks.map(\.count).reduce(0, +) == count)
        }
    }

    @Test("a file cut at every byte offset recovers exactly its complete blocks, and repair makes it whole")
    func truncation() throws {
        let events = randomEvents(60, seed: 9)
        let path = tempPath("cut")
        let writer = try write(events, blockEvents: 8, path: path)
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        let reader = try RecordingFileReader(path: path)
        let dataStart = reader.dataStart
        let index = reader.blocks
        let cutPath = tempPath("cut-copy")
        var checked = 0
        for cut in 0..<full.count {
            try full.prefix(cut).write(to: URL(fileURLWithPath: cutPath))
            guard cut >= dataStart else {
                #expect(throws: RecordingError.self) { try RecordingFileReader(path: cutPath) }
                continue
            }
            let r = try RecordingFileReader(path: cutPath)
            // Complete blocks: those whose bytes all lie before the cut.
            let complete = index.enumerated().filter { i, b in
                let end = i + 1 < index.count ? index[i + 1].offset : writer.bytesWritten
                return end <= cut
            }.count
            #expect(r.blocks.count == complete, "cut at \(cut)")
            let recovered = try r.readAll()
            #expect(recovered == Array(events.prefix(recovered.count)), "cut at \(cut)")
            #expect(recovered.count == index.prefix(complete).reduce(0) { $0 + $1.count })
            checked += 1
        }
        #expect(checked > 500)
        // Repair a cut file: complete blocks kept, index and footer rewritten.
        let cut = index[5].offset + 10
        try full.prefix(cut).write(to: URL(fileURLWithPath: cutPath))
        let report = try RecordingRepair.repair(path: cutPath, inPlace: true)
        #expect(!report.wasIntact && report.blocks == 5 && report.events == 40)
        let repaired = try RecordingFileReader(path: cutPath)
        #expect(repaired.recovery == nil)
        #expect(try repaired.readAll() == Array(events.prefix(40)))
        #expect(try RecordingRepair.repair(path: cutPath, inPlace: true).wasIntact)
    }

    @Test("a damaged byte is caught by the checksums, never decoded as data")
    func corruption() throws {
        let events = randomEvents(100, seed: 4)
        let path = tempPath("bad")
        _ = try write(events, blockEvents: 25, path: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try RecordingFileReader(path: path)
        bytes[reader.blocks[2].offset + FileLayout.blockHeaderSize + 3] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let damaged = try RecordingFileReader(path: path)
        var out: [MarketEvent] = []
        try damaged.readBlock(1, into: &out)
        #expect(throws: RecordingError.self) { try damaged.readBlock(2, into: &out) }
        #expect(throws: RecordingError.self) { try RecordingFileReader(path: "/nonexistent.arbrec") }
        try Data("not a recording at all".utf8).write(to: URL(fileURLWithPath: path))
        do { _ = try RecordingFileReader(path: path); Issue.record("expected an error") } catch let e as RecordingError {
            #expect(e.code == .notARecording && e.description.contains(path))
        }
    }

    @Test("seek finds the first block holding a time")
    func seek() throws {
        let events = randomEvents(1_000, seed: 11)
        let path = tempPath("seek")
        _ = try write(events, blockEvents: 100, path: path)
        let r = try RecordingFileReader(path: path)
        let target = events[550].receivedAt
        let b = r.firstBlock(atOrAfter: target)
        #expect(b == 5)
        #expect(r.firstBlock(atOrAfter: .zero) == 0)
        #expect(r.firstBlock(atOrAfter: .distantFuture) == r.blocks.count)
    }
}
