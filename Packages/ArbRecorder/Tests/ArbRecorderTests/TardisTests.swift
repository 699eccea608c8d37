import ArbCore
import Foundation
import Testing
@testable import ArbRecorder

/// The fixtures, found next to this file (works from the package and from the root).
func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
}

func gzipCopy(_ path: String) throws -> String {
    let out = NSTemporaryDirectory() + "tardis-\(UUID().uuidString.prefix(8))-" + (path as NSString).lastPathComponent + ".gz"
    let w = try TextWriter(path: out, gzip: true)
    try w.write([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    try w.close()
    return out
}

func lines(_ path: String) throws -> [String] {
    var out: [String] = []
    let r = try LineReader(path: path)
    while try r.next({ out.append(String(decoding: $0, as: UTF8.self)) }) {}
    return out
}

@Suite("Tardis CSV")
struct TardisTests {
    @Test("golden: Tardis book and trades CSV imported and exported back give the same rows (plain and gzip)", arguments: [false, true])
    func golden(gzip: Bool) throws {
        var book = fixture("incremental_book_L2.csv"), trades = fixture("trades.csv")
        if gzip { book = try gzipCopy(book); trades = try gzipCopy(trades) }
        let rec = tempPath("tardis")
        let report = try TardisImport.run(inputs: [book, trades], output: rec)
        #expect(report.rows == 17 && report.skippedRows == 0)
        #expect(report.instruments.sorted() == ["binance BTCUSDT", "binance ETHUSDT", "upbit KRW-BTC"])
        let events = try RecordingFileReader(path: rec).readAll()
        #expect(events.count == 12)  // 3 snapshots, 6 deltas, 3 trades
        guard case .bookSnapshot(let first) = events[0] else { Issue.record("expected a snapshot first"); return }
        #expect(first.bids.count == 2 && first.asks.count == 2)
        #expect(first.receivedAt == Timestamp(nanoseconds: 1_704_067_200_001_000_000))
        let messageEnds = events.compactMap { e -> Bool? in if case .bookDelta(let d) = e { return d.endOfMessage }; return nil }
        #expect(messageEnds == [false, false, true, true, true, true])

        let out = NSTemporaryDirectory() + "tardis-out-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let exported = try RecordingExport.tardisCSV(paths: [rec], directory: out, gzip: gzip)
        #expect(exported.bookRows == 14 && exported.tradeRows == 3)
        #expect(try lines(exported.files[0]) == lines(fixture("incremental_book_L2.csv")))
        #expect(try lines(exported.files[1]) == lines(fixture("trades.csv")))
    }

    @Test("JSON lines: one object per event, exact decimals")
    func jsonLines() throws {
        let rec = tempPath("jsonl")
        _ = try TardisImport.run(inputs: [fixture("incremental_book_L2.csv"), fixture("trades.csv")], output: rec)
        let path = NSTemporaryDirectory() + "out-\(UUID().uuidString.prefix(8)).jsonl"
        let report = try RecordingExport.jsonLines(paths: [rec], output: path, gzip: false)
        let rows = try lines(path)
        #expect(report.events == 12 && rows.count == 12)
        let first = try JSONSerialization.jsonObject(with: Data(rows[0].utf8)) as! [String: Any]
        #expect(first["type"] as? String == "snapshot" && first["symbol"] as? String == "BTCUSDT")
        #expect(rows.contains { $0.contains("\"type\":\"trade\"") && $0.contains("\"price\":\"42280.51\"") && $0.contains("\"quantity\":\"0.0135\"") })
    }

    @Test("bad input: wrong header, malformed rows name the file and line; --skip-bad-rows counts them instead")
    func badInput() throws {
        let dir = NSTemporaryDirectory() + "bad-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let wrong = dir + "/wrong.csv"
        try "a,b,c\n1,2,3\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        do { _ = try TardisImport.run(inputs: [wrong], output: tempPath("x")); Issue.record("expected an error") } catch let e as RecordingError {
            #expect(e.description.contains("wrong.csv:1") && e.description.contains("incremental_book_L2"))
        }
        let rows = dir + "/rows.csv"
        try (TardisImport.bookHeader + "\nbinance,BTCUSDT,1,2,false,bid,100,1\nbinance,BTCUSDT,1,2,maybe,bid,100,1\nbinance,BTCUSDT,1,3,false,bid,1.0000000001,1\n")
            .write(toFile: rows, atomically: true, encoding: .utf8)
        do { _ = try TardisImport.run(inputs: [rows], output: tempPath("y")); Issue.record("expected an error") } catch let e as RecordingError {
            #expect(e.description.contains("rows.csv:4") || e.description.contains("rows.csv:3"), "\(e)")
            #expect(e.description.contains("--skip-bad-rows"))
        }
        let report = try TardisImport.run(inputs: [rows], output: tempPath("z"), skipBadRows: true)
        #expect(report.rows == 1 && report.skippedRows == 2 && report.problems.count == 2)
    }
}
