import ArbCore
import Foundation
import Testing
@testable import ArbRecorder

func universeForTests() -> Universe {
    var u = Universe()
    let b = u.addVenue("binance"), k = u.addVenue("upbit")
    func spec(_ symbol: String, _ base: String, _ quote: String) -> InstrumentSpec {
        InstrumentSpec(symbol: symbol, baseCode: base, quoteCode: quote, tickRule: .fixed(Price("0.01")), lotStep: Quantity("0.00001"),
                       minQuantity: Quantity("0.00001"), maxQuantity: Quantity(units: 1_000), minNotional: Amount(units: 1), maxNotional: nil,
                       priceDecimals: 8, quantityDecimals: 8)
    }
    u.addInstrument(spec("BTCUSDT", "BTC", "USDT"), on: b)
    u.addInstrument(spec("KRW-BTC", "BTC", "KRW"), on: k)
    u.addInstrument(spec("ETHUSDT", "ETH", "USDT"), on: b)
    return u
}

/// Strictly increasing receive times, so the merged replay order is the original one.
func distinctTimes(_ events: [MarketEvent]) -> [MarketEvent] {
    events.enumerated().map { i, e in
        let t = Timestamp(nanoseconds: 1_767_225_600_000_000_000 + Int64(i) * 1_000_000)
        switch e {
        case .bookDelta(var d): d.receivedAt = t; return .bookDelta(d)
        case .bookSnapshot(var s): s.receivedAt = t; return .bookSnapshot(s)
        case .trade(var x): x.receivedAt = t; return .trade(x)
        case .status(var s): s.receivedAt = t; return .status(s)
        }
    }
}

@Suite("Recorder and replay")
struct RecorderTests {
    @Test("one file per venue, rotated by size; replaying them all gives back the stream")
    func recordAndReplay() throws {
        let dir = NSTemporaryDirectory() + "arbrec-dir-\(UUID().uuidString.prefix(8))"
        let u = universeForTests()
        let events = distinctTimes(randomEvents(20_000, seed: 21))
        let recorder = Recorder(instruments: RecordingHeader.entries(for: u),
                                options: RecorderOptions(directory: dir, source: "test", rotateBytes: 40_000, blockEvents: 1_000))
        recorder.start()
        for e in events { recorder.record(e) }
        let report = recorder.finish()
        #expect(report.events == events.count && report.dropped == 0 && report.error == nil)
        #expect(report.files.count > 2, "rotated")
        #expect(report.files.allSatisfy { $0.contains("/binance/2026-01-01/binance-") || $0.contains("/upbit/2026-01-01/upbit-") })
        var source = try RecordingSource(paths: report.files.shuffled(), universe: u)
        var replayed: [MarketEvent] = []
        while let e = source.next() { replayed.append(e) }
        #expect(replayed == events)
        // Filters: one venue, from a time.
        var binance = try RecordingSource(paths: report.files, universe: u, venues: ["binance"], from: events[10_000].receivedAt)
        var count = 0
        while binance.next() != nil { count += 1 }
        #expect(count == events[10_000...].filter { u[$0.instrument].venue == VenueId(0) }.count)
    }

    @Test("a full queue drops events, counts them, and records the hole as a gap marker")
    func overflowBecomesGap() throws {
        let dir = NSTemporaryDirectory() + "arbrec-gap-\(UUID().uuidString.prefix(8))"
        let u = universeForTests()
        let events = distinctTimes(randomEvents(50, seed: 5)).filter { $0.instrument == InstrumentId(0) }
        let recorder = Recorder(instruments: RecordingHeader.entries(for: u),
                                options: RecorderOptions(directory: dir, source: "test", queueCapacity: 4))
        // Not started yet: the queue holds 4, the rest overflow.
        for e in events.prefix(10) { recorder.record(e) }
        #expect(recorder.dropped == 6)
        recorder.start()
        Thread.sleep(forTimeInterval: 0.2)
        recorder.record(events[10])
        let report = recorder.finish()
        #expect(report.dropped == 6 && report.gapMarkers == 1)
        var source = try RecordingSource(paths: report.files, universe: u)
        var replayed: [MarketEvent] = []
        while let e = source.next() { replayed.append(e) }
        #expect(replayed.count == 6)
        guard case .status(let gap) = replayed[4] else { Issue.record("expected a gap marker, got \(replayed[4])"); return }
        #expect(gap.kind == .gap && gap.count == 6)
        #expect(replayed[5] == events[10])
    }
}

@Suite("Recorder rotation")
struct RotationTests {
    @Test("files rotate by event time and never span midnight UTC")
    func byTimeAndDate() throws {
        let dir = NSTemporaryDirectory() + "arbrec-rot-\(UUID().uuidString.prefix(8))"
        let u = universeForTests()
        // 100 events a minute apart starting 23:30 UTC: 2 days, rotated every 20 minutes.
        let start: Int64 = 1_767_310_200_000_000_000  // 2026-01-01T23:30:00Z
        let events: [MarketEvent] = (0..<100).map { k in
            let t = Timestamp(nanoseconds: start + Int64(k) * 60_000_000_000)
            return .bookDelta(BookDelta(instrument: InstrumentId(0), side: .bid, price: Price("100"), quantity: Quantity("1"),
                                        exchangeTime: t, receivedAt: t, sequence: UInt64(k + 1)))
        }
        let recorder = Recorder(instruments: RecordingHeader.entries(for: u),
                                options: RecorderOptions(directory: dir, source: "test", rotateInterval: .seconds(1_200), fsync: .everyBlock))
        recorder.start()
        for e in events { recorder.recordWaiting(e) }
        let report = recorder.finish()
        #expect(report.events == 100)
        let days = Set(report.files.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent })
        #expect(days == ["2026-01-01", "2026-01-02"])
        // 23:30–00:00 (30 events, split at 20 min), then 70 min from midnight in 20-minute files.
        #expect(report.files.count == 6, "\(report.files)")
        for f in report.files {
            let r = try RecordingFileReader(path: f)
            #expect(r.blocks.last!.lastTimeNs - r.blocks.first!.firstTimeNs < 1_200_000_000_000)
        }
    }
}

@Suite("Recorder: failures and true counts")
struct RecorderFailureTests {
    @Test("the counts are events in the files and bytes on disk, index and footer included")
    func trueCounts() throws {
        let dir = NSTemporaryDirectory() + "arbrec-counts-\(UUID().uuidString.prefix(8))"
        let u = universeForTests()
        let recorder = Recorder(instruments: RecordingHeader.entries(for: u),
                                options: RecorderOptions(directory: dir, source: "test", rotateBytes: 40_000, blockEvents: 1_000, layout: .combined))
        recorder.start()
        for e in distinctTimes(randomEvents(20_000, seed: 4)) { recorder.recordWaiting(e) }
        let report = recorder.finish()
        #expect(report.error == nil && report.files.count > 1)
        var events = 0, bytes = 0
        for f in report.files {
            events += try RecordingFileReader(path: f).eventCount
            bytes += try FileManager.default.attributesOfItem(atPath: f)[.size] as! Int
        }
        #expect(report.events == events && events == 20_000)
        #expect(report.bytes == bytes)
    }

    @Test("a write error is seen by the producer at once, names the path and the cause, and what was written stays readable")
    func failsFast() throws {
        let dir = NSTemporaryDirectory() + "arbrec-fail-\(UUID().uuidString.prefix(8))"
        let u = universeForTests()
        let recorder = Recorder(instruments: RecordingHeader.entries(for: u),
                                options: RecorderOptions(directory: dir, source: "test", rotateBytes: 20_000, blockEvents: 500, layout: .combined))
        recorder.start()
        let events = distinctTimes(randomEvents(50_000, seed: 5))
        var sent = 0
        for e in events {
            recorder.recordWaiting(e)
            sent += 1
            if sent == 2_000 {
                // The day folder becomes a file: the next rotation cannot open its file.
                Thread.sleep(forTimeInterval: 0.3)
                let venueFolder = (dir as NSString).appendingPathComponent("binance+upbit")
                let day = try FileManager.default.contentsOfDirectory(atPath: venueFolder).first!
                let dayFolder = (venueFolder as NSString).appendingPathComponent(day)
                try FileManager.default.moveItem(atPath: dayFolder, toPath: dayFolder + ".moved")
                try Data("not a folder".utf8).write(to: URL(fileURLWithPath: dayFolder))
            }
            if sent % 1_000 == 0, recorder.writeFailure != nil { break }
        }
        #expect(sent < events.count, "the producer stopped early")
        let report = recorder.finish()
        let error = try #require(report.error)
        #expect(error.contains("binance+upbit") && error.contains("cannot"), "\(error)")
    }
}
