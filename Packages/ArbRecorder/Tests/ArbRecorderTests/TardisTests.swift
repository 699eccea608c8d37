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

@Suite("Tardis CSV: hostile rows")
struct TardisHostileTests {
    func file(_ header: String, _ rows: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "hostile-\(UUID().uuidString.prefix(8)).csv"
        try ([header] + rows).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let goodTrade = "binance,BTCUSDT,1704067200000000,1704067200001000,42,buy,42280.51,0.0135"

    /// Each bad row, after one good one: refused naming the line, or skipped and counted.
    static let badTrades: [(String, String)] = [
        ("binance,BTCUSDT,12345678901234567,1704067200002000,43,buy,1,1", "timestamp beyond"),   // 17 digits: ×1000 overflows
        ("binance,BTCUSDT,1704067200000001,99999999999999999999,43,buy,1,1", "timestamps must be integer"),  // 20 digits
        ("binance,BTCUSDT,1704067200000001,1704067200002000,9999999999999999999,buy,1,1", "id must be an integer"),  // 19 digits > 2^63
        ("binance,BTCUSDT,1704067200000001,1704067200002000,12a,buy,1,1", "id must be an integer"),
        ("binance,BTCUSDT,1704067200000001,1704067200002000,43,buy,-5,1", "price must be positive"),
        ("binance,BTCUSDT,1704067200000001,1704067200002000,43,buy,5,-1", "amount must not be negative"),
        ("binance,BTCUSDT,1704067200000001,1704067200002000,43,buy,-,1", "decimal"),
        ("binance,BTCUSDT,1704067200000001,1704067200002000,43,buy,5,.", "decimal"),
        ("binance,BTCUSDT,1704067200000001,1704067200000500,43,buy,5,1", "goes backwards"),
    ]

    @Test("each hostile row is refused naming its line, or skipped and counted", arguments: 0..<9)
    func hostile(index: Int) throws {
        let (row, reason) = Self.badTrades[index]
        let path = try file(TardisImport.tradesHeader, [Self.goodTrade, row])
        do {
            _ = try TardisImport.run(inputs: [path], output: tempPath("h"))
            Issue.record("accepted: \(row)")
        } catch let e as RecordingError {
            #expect(e.description.contains(":3") && e.description.contains(reason), "\(e)")
        }
        let report = try TardisImport.run(inputs: [path], output: tempPath("h2"), skipBadRows: true)
        #expect(report.rows == 1 && report.skippedRows == 1 && report.events == 1)
    }

    @Test("an import in which every row is skipped writes nothing and says so")
    func nothingImported() throws {
        let path = try file(TardisImport.tradesHeader, [Self.badTrades[4].0, Self.badTrades[5].0])
        let output = tempPath("none")
        do {
            _ = try TardisImport.run(inputs: [path], output: output, skipBadRows: true)
            Issue.record("an empty import succeeded")
        } catch let e as RecordingError {
            #expect(e.description.contains("no row could be imported") && e.description.contains("2 skipped"), "\(e)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("a truncated gzip file is an error with and without --skip-bad-rows", arguments: [false, true])
    func truncatedGzip(skip: Bool) throws {
        var rows: [String] = []
        for i in 0..<2_000 { rows.append("binance,BTCUSDT,\(1_704_067_200_000_000 + i),\(1_704_067_200_001_000 + i),\(i),buy,42280.51,0.0135") }
        let gz = try gzipCopy(try file(TardisImport.tradesHeader, rows))
        let data = try Data(contentsOf: URL(fileURLWithPath: gz))
        let cut = gz + ".cut.gz"
        try data.prefix(data.count * 2 / 3).write(to: URL(fileURLWithPath: cut))
        do {
            _ = try TardisImport.run(inputs: [cut], output: tempPath("cut"), skipBadRows: skip)
            Issue.record("a truncated gzip was imported")
        } catch let e as RecordingError {
            #expect(e.description.contains("truncated or corrupt"), "\(e)")
        }
    }

    @Test("fuzz: random rows never trap the importer")
    func fuzz() throws {
        var rng = SplitMix64(seed: 5)
        let pieces = ["binance", "BTCUSDT", "1704067200000000", "99999999999999999999", "-", ".", "-.", "1e5", "", "buy", "sell", "bid",
                      "ask", "true", "false", "0", "9223372036854775807", "1.0000000001", "-1", "42280.51", "0.0135", "\u{0}", "é"]
        for round in 0..<200 {
            var rows: [String] = []
            for _ in 0..<20 {
                let fields = (0..<Int(6 + rng.below(4))).map { _ in pieces[Int(rng.below(UInt64(pieces.count)))] }
                rows.append(fields.joined(separator: ","))
            }
            let header = round % 2 == 0 ? TardisImport.tradesHeader : TardisImport.bookHeader
            let path = try file(header, rows)
            _ = try? TardisImport.run(inputs: [path], output: tempPath("fz"), skipBadRows: round % 3 == 0)
        }
    }
}
