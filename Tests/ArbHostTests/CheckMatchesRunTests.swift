import ArbCore
import ArbRecorder
import Foundation
import Testing
@testable import ArbHost

@Suite("arbd check refuses what arbd run refuses")
struct CheckMatchesRunTests {
    @Test("a duration too long for 64 bits is an error naming the key, not a trap", arguments: ["10000000h", "9999999999h", "2562048h", "1000000000h1000000000h"])
    func hugeDuration(text: String) {
        let error = problem(manifestText(runtime: text))
        #expect(error.contains("max_runtime") && error.contains("at most 2562047h"), "\(error)")
    }

    @Test("a negative seed is an error naming the key (found by fuzzing: TOMLKit trapped converting it to UInt64)")
    func negativeSeed() {
        let error = problem(manifestText().replacingOccurrences(of: "seed = 7", with: "seed = -1"))
        #expect(error.contains("seed") && error.contains("must be a whole number from 0"), "\(error)")
    }

    @Test("the longest representable duration is accepted")
    func longestDuration() {
        #expect(DurationText("2562047h")?.nanoseconds == Int64(2_562_047) * 3_600_000_000_000)
        #expect(DurationText("2562048h") == nil)
    }

    @Test("a strategy naming no enabled venue, or an FX symbol that is no instrument, fails the check", arguments: [
        ("venue_a = \"kraken\"", "strategies.spread.parameters.venue_a", "not enabled"),
        ("venue_b = \"okx\"", "strategies.spread.parameters.venue_b", "not enabled"),
        ("fx_symbol = \"KRW-USDC\"", "strategies.spread.parameters.fx_symbol", "not an instrument"),
    ])
    func strategyStart(parameter: String, key: String, message: String) {
        let error = problem(manifestText(strategyParameters: parameter))
        #expect(error.contains(key) && error.contains(message), "\(error)")
    }

    @Test("a reporting currency the books cannot value is refused, naming what it cannot value")
    func unvaluableReportingCurrency() {
        let error = problem(manifestText().replacingOccurrences(of: "reporting_currency = \"USDT\"", with: "reporting_currency = \"1e30\""))
        #expect(error.contains("reporting_currency") && error.contains("cannot value") && error.contains("BTC"), "\(error)")
        #expect(problem(manifestText().replacingOccurrences(of: "reporting_currency = \"USDT\"", with: "reporting_currency = \"KRW\"")) == "no error")
    }
}

@Suite("arbd recorder inspect")
struct InspectVerifyTests {
    @Test("plain inspect says it did not verify; --verify names the damaged block")
    func verify() throws {
        let folder = tempDir("inspect")
        let report = try RecordRun(plan: try load(manifestText(runtime: "5s")), output: folder).execute()
        #expect(report.events > 1_000)
        let file = try #require(RunPlan.recordingFiles(at: folder).first)
        #expect(try RecordingTools.inspect(file).contains("not verified"))
        #expect(try RecordingTools.inspect(file, verify: true).contains("verified: every block"))
        let reader = try RecordingFileReader(path: file)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[reader.blocks[0].offset + 60] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let text = try RecordingTools.inspect(file, verify: true)
        #expect(text.contains("DAMAGED: blocks 0 fail verification"), "\(text)")
    }
}

@Suite("arbd record: fails fast")
struct RecordFailsFastTests {
    @Test("an output folder that cannot be created is an error naming it, before anything is simulated")
    func unwritableOutput() throws {
        let file = NSTemporaryDirectory() + "arbd-not-a-folder-\(UUID().uuidString.prefix(8))"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let started = Date()
        do {
            _ = try RecordRun(plan: try load(manifestText(runtime: "10m")), output: file + "/recordings").execute()
            Issue.record("recorded into a path under a file")
        } catch let e as RecordingError {
            #expect(e.description.contains(file) && e.description.contains("check the path"), "\(e)")
            #expect(!e.description.contains("NSCocoaErrorDomain"))
        }
        #expect(Date().timeIntervalSince(started) < 5, "it failed before simulating 10 minutes")
    }
}

@Suite("TOML the parser would abort on")
struct TOMLGuardTests {
    @Test("a table header starting with no key is a syntax error naming the line (found by fuzzing: toml++ aborted)", arguments: [
        "[.", "[[.a]]", "[ . ]", "[=]", "[,]", "[{]", "[#]", "[@]", "[é]", "[+]", "[[ ,]]", "mode = \"paper\"\n\n[.x]",
        "[\n", "[", "[[\r\n", "[ \n",
    ])
    func badHeaders(text: String) {
        let error = problem(text)
        #expect(error.contains("TOML syntax: a table header must start with a key"), "\(error)")
        let line = text.hasSuffix("\n") ? text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
            : text.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(error.contains("test.toml:\(line):"), "\(error)")
    }

    @Test("a '}' where an array value is expected is a syntax error (found by fuzzing: toml++ aborted)", arguments: [
        "s=[}", "a = [1, }", "a = [ }", "a = [\n}]", "a = [[}]]", "a = {b = [}]}", "a = [ # c\n }",
    ])
    func braceInArray(text: String) {
        let error = problem(text)
        #expect(error.contains("'}' where an array value is expected"), "\(error)")
    }

    @Test("brackets inside values, strings and comments are not table headers")
    func notHeaders() {
        let texts = [
            "x = [\n[+1, 2],\n[-3]\n]",
            "x = \"[.\"\ny = '''\n[.\n'''",
            "# [.\nz = 1",
            "w = { a = [1, 2], b = \"[,]\" }",
            "s = \"\"\"\n[=]\n\"\"\"",
            "t = [ { a = 1 }, { b = [2] } ]",
            "u = [\n  1,\n  2, # two\n]",
        ]
        for text in texts {
            #expect(TOMLGuard.check(text) == nil, "\(text)")
        }
    }

    @Test("fuzz: random TOML-ish text never traps the guard")
    func fuzz() {
        var rng = SplitMix64(seed: 17)
        let pieces = ["[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\"", "'", "\"\"\"", "'''", "#", "\n", " ", "a", "é", "\\", "+", "1"]
        for _ in 0..<20_000 {
            let text = (0..<Int(rng.below(30))).map { _ in pieces[Int(rng.below(UInt64(pieces.count)))] }.joined()
            _ = TOMLGuard.check(text)
        }
    }
}

@Suite("check and run agree")
struct CheckRunPropertyTests {
    /// Variations of the test manifest: each line replaced or added from a pool of good and
    /// bad values, seeded.
    static let variations: [(String, [String])] = [
        ("max_runtime = \"20s\"", ["max_runtime = \"2s\"", "max_runtime = \"0s\"", "max_runtime = \"1h\"", "max_runtime = \"250ms\""]),
        ("reporting_currency = \"USDT\"", ["reporting_currency = \"KRW\"", "reporting_currency = \"BTC\"", "reporting_currency = \"XYZ\""]),
        ("symbols = [\"BTC\", \"ETH\", \"XRP\"]", ["symbols = [\"BTC\"]", "symbols = []", "symbols = [\"BTC\", \"NOPE\"]", "symbols = [\"SOL\", \"DOGE\"]"]),
        ("events_per_second = 2000", ["events_per_second = 1", "events_per_second = 0", "events_per_second = 50000"]),
        ("latency_ms = { outbound = 15, inbound = 15 }", ["latency_ms = { outbound = 1, inbound = 1, feed = { p50 = 5, p99 = 50 } }",
                                                          "latency_ms = { outbound = { p50 = 9, p99 = 3 } }", "latency_ms = { feed = 0 }"]),
        ("min_edge = \"0.0015\"", ["min_edge = \"0\"", "min_edge = \"1\"", "min_edge = \"-0.1\"", "min_edge = \"0.01\""]),
        ("order_notional = \"1000\"", ["order_notional = \"0\"", "order_notional = \"5\"", "order_notional = \"100000000\""]),
    ]
    static let extras = ["", "[simulation]\nreplenish_ms = 300", "[simulation.competition]\nedge_ppm = 1000\ndelay_ms = 5",
                         "[simulation.competition]\nshare_ppm = 0", "[simulation]\nfeed_capacity = 2048"]

    @Test("any manifest check accepts, run accepts (seeded variations of the test manifest)")
    func property() throws {
        var rng = SplitMix64(seed: 99)
        var accepted = 0, refused = 0
        for round in 0..<40 {
            var text = manifestText(dataDir: tempDir("prop-\(round)"), runtime: "20s",
                                    extra: Self.extras[Int(rng.below(UInt64(Self.extras.count)))])
            for (original, options) in Self.variations where rng.below(3) == 0 {
                text = text.replacingOccurrences(of: original, with: options[Int(rng.below(UInt64(options.count)))])
            }
            text = text.replacingOccurrences(of: "max_runtime = \"1h\"", with: "max_runtime = \"3s\"")
            text = text.replacingOccurrences(of: "max_runtime = \"20s\"", with: "max_runtime = \"3s\"")
            let plan: RunPlan
            do { plan = try load(text) } catch { refused += 1; continue }
            accepted += 1
            let run = PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false))
            do { _ = try run.execute() } catch { Issue.record("check accepted but run refused: \(error)\n\(text)") }
        }
        #expect(accepted >= 5 && refused >= 5, "the variations must exercise both sides (accepted \(accepted), refused \(refused))")
    }
}
