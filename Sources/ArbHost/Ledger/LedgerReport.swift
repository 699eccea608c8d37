import Foundation

/// `arbd report ledger RUN_DIR`: the opportunity ledger of a run, per route, read back
/// from the run's journal (`journal.jsonl`, rows with `"event":"opportunity"`).
public struct LedgerReport: Sendable {
    public struct RouteLine: Sendable, Hashable {
        public var route: String
        public var detected = 0
        public var executed = 0
        public var skipped: [String: Int] = [:]
        var detectedEdgeSum: Int128 = 0
        var realisedEdgeSum: Int128 = 0
        var realisedCount = 0
        var slippageSum: Int128 = 0
        var slippageCount = 0
        var acknowledgedSumNs: Int128 = 0
        var acknowledgedCount = 0

        /// Mean detected edge over every row, bps.
        public var meanDetectedEdgeBps: Double { detected == 0 ? 0 : Double(detectedEdgeSum) / Double(detected) / 100 }
        /// Mean realised edge over executed rows with fills on every leg, bps; nil if none.
        public var meanRealisedEdgeBps: Double? { realisedCount == 0 ? nil : Double(realisedEdgeSum) / Double(realisedCount) / 100 }
        /// Mean slippage per filled leg, bps (positive = worse than expected); nil if none.
        public var meanSlippageBps: Double? { slippageCount == 0 ? nil : Double(slippageSum) / Double(slippageCount) }
        /// Mean time from detection to a leg's first answer, ms; nil if none.
        public var meanAcknowledgedMs: Double? { acknowledgedCount == 0 ? nil : Double(acknowledgedSumNs) / Double(acknowledgedCount) / 1e6 }
    }

    public var routes: [RouteLine]
    /// Journal lines that were not valid JSON objects (line numbers of the first few).
    public var badLines: Int
    public var firstBadLines: [Int]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `folder/journal.jsonl` in chunks of 1 MB, one line at a time.
    public static func read(runFolder folder: String) throws -> LedgerReport {
        let path = (folder as NSString).appendingPathComponent("journal.jsonl")
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Failure(description: "no journal at \(path): give the folder of a run, e.g. runs/run-42 (arbd run prints it)")
        }
        defer { try? handle.close() }
        var reader = Reader()
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            reader.add(chunk)
        }
        return reader.finish()
    }

    /// The ledger of journal text given whole (tests, the fuzz target).
    public static func parse(_ journal: Data) -> LedgerReport {
        var reader = Reader()
        reader.add(journal)
        return reader.finish()
    }

    /// Accumulates journal bytes line by line; lines that are not opportunity rows are
    /// skipped, rows it cannot read are counted with their line numbers.
    struct Reader {
        var byRoute: [String: RouteLine] = [:]
        var bad = 0, firstBad: [Int] = []
        var lineNumber = 0
        var pending = Data()
        static let marker = Data("\"event\":\"opportunity\"".utf8)

        mutating func add(_ chunk: Data) {
            pending.append(chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                take(pending[start..<newline])
                start = pending.index(after: newline)
            }
            pending = Data(pending[start...])
        }

        mutating func finish() -> LedgerReport {
            if !pending.isEmpty { take(pending); pending = Data() }
            let routes = byRoute.values.sorted { ($1.detected, $0.route) < ($0.detected, $1.route) }
            return LedgerReport(routes: routes, badLines: bad, firstBadLines: firstBad)
        }

        mutating func take(_ line: Data) {
            lineNumber += 1
            guard line.range(of: Self.marker) != nil else { return }
            guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
                  let route = object["route"] as? String, let decision = object["decision"] as? String,
                  let edge = (object["detected_edge_ppm"] as? NSNumber)?.int64Value else {
                bad += 1
                if firstBad.count < 5 { firstBad.append(lineNumber) }
                return
            }
            var r = byRoute[route] ?? RouteLine(route: route)
            r.detected += 1
            r.detectedEdgeSum += Int128(edge)
            if decision == "executed" { r.executed += 1 } else { r.skipped[decision, default: 0] += 1 }
            if let realised = (object["realised_edge_ppm"] as? NSNumber)?.int64Value {
                r.realisedEdgeSum += Int128(realised); r.realisedCount += 1
            }
            for leg in object["legs"] as? [[String: Any]] ?? [] {
                if let s = (leg["slippage_bps"] as? NSNumber)?.int64Value { r.slippageSum += Int128(s); r.slippageCount += 1 }
                if let a = (leg["acknowledged_after_ns"] as? NSNumber)?.int64Value { r.acknowledgedSumNs += Int128(a); r.acknowledgedCount += 1 }
            }
            byRoute[route] = r
        }
    }

    /// The per-route table.
    public func text() -> String {
        guard !routes.isEmpty else { return "no opportunities in this run's ledger\n" + badLinesText() }
        func number(_ x: Double?) -> String { x.map { String(format: "%.1f", $0) } ?? "-" }
        var out = "route | detected | executed | skipped (reason count) | detected edge bps | realised edge bps | slippage bps/leg | ack ms\n"
        for r in routes {
            let skips = r.skipped.keys.sorted().map { "\($0) \(r.skipped[$0]!)" }.joined(separator: ", ")
            out += "\(r.route) | \(r.detected) | \(r.executed) | \(skips.isEmpty ? "-" : skips) | \(number(r.meanDetectedEdgeBps)) | "
                + "\(number(r.meanRealisedEdgeBps)) | \(number(r.meanSlippageBps)) | \(number(r.meanAcknowledgedMs))\n"
        }
        let detected = routes.reduce(0) { $0 + $1.detected }, executed = routes.reduce(0) { $0 + $1.executed }
        out += "\(routes.count) routes: \(detected) detected = \(executed) executed + \(detected - executed) skipped\n"
        return out + badLinesText()
    }

    func badLinesText() -> String {
        badLines == 0 ? "" : "\(badLines) opportunity lines could not be read (lines \(firstBadLines.map(String.init).joined(separator: ", "))\(badLines > firstBadLines.count ? ", …" : ""))\n"
    }
}
