import Testing
@testable import ArbCore

@Suite("Latency models")
struct LatencyModelTests {
    @Test("fixed is fixed; lognormal hits its median and 99th percentile; samples replay in order")
    func draws() {
        var fixed = LatencySampler(.fixed(.milliseconds(7)), seed: 1)
        #expect((0..<10).allSatisfy { _ in fixed.nextNanoseconds() == 7_000_000 })
        var lognormal = LatencySampler(.lognormal(p50: .milliseconds(10), p99: .milliseconds(80)), seed: 42)
        var draws = (0..<200_000).map { _ in lognormal.nextNanoseconds() }
        draws.sort()
        let p50 = Double(draws[draws.count / 2]) / 1e6, p99 = Double(draws[draws.count * 99 / 100]) / 1e6
        #expect(abs(p50 - 10) < 0.3, "p50 \(p50)")
        #expect(abs(p99 - 80) < 4, "p99 \(p99)")
        #expect(draws.first! >= 0)
        var samples = LatencySampler(.samples([3, 1, 2]), seed: 1)
        #expect((0..<7).map { _ in samples.nextNanoseconds() } == [3, 1, 2, 3, 1, 2, 3])
    }

    @Test("the same seed gives the same draws; another seed others")
    func seeded() {
        var a = LatencySampler(.lognormal(p50: .milliseconds(10), p99: .milliseconds(80)), seed: 5)
        var b = LatencySampler(.lognormal(p50: .milliseconds(10), p99: .milliseconds(80)), seed: 5)
        var c = LatencySampler(.lognormal(p50: .milliseconds(10), p99: .milliseconds(80)), seed: 6)
        let x = (0..<100).map { _ in a.nextNanoseconds() }
        #expect(x == (0..<100).map { _ in b.nextNanoseconds() })
        #expect(x != (0..<100).map { _ in c.nextNanoseconds() })
    }

    @Test("models that cannot be used say why")
    func problems() {
        #expect(LatencyModel.fixed(.milliseconds(-1)).problem != nil)
        #expect(LatencyModel.lognormal(p50: .milliseconds(20), p99: .milliseconds(10)).problem?.contains("p99") == true)
        #expect(LatencyModel.lognormal(p50: .zero, p99: .milliseconds(10)).problem?.contains("p50") == true)
        #expect(LatencyModel.samples([]).problem != nil)
        #expect(LatencyModel.samples([1, -2]).problem != nil)
        #expect(LatencyModel.lognormal(p50: .milliseconds(1), p99: .milliseconds(1)).problem == nil)
    }

    @Test("latency files: values in ms, comments and blanks skipped")
    func fileParses() throws {
        #expect(try LatencyFile.parse("# measured\n12.5\n\n 3 # comment\n0.001\n") == [12_500_000, 3_000_000, 1_000])
    }

    @Test("latency files: each bad line is an error naming the line", arguments: [
        ("", 1), ("abc", 1), ("1\n-2", 2), ("1.", 1), (".5", 1), ("1.1234567", 1), ("99999999", 1), ("1e3", 1), ("1\n2\n3,5", 3),
        ("3600001", 1), ("١٢", 1),
    ])
    func fileRejects(text: String, line: Int) {
        #expect(throws: LatencyFile.ParseError.self) { try LatencyFile.parse(text) }
        do { _ = try LatencyFile.parse(text) } catch { #expect(error.line == line, "\(error)") }
    }

    @Test("fuzz: random bytes never trap the latency-file parser")
    func fuzz() {
        var rng = SplitMix64(seed: 77)
        let alphabet = Array("0123456789.-#\n \t e,x\u{0}")
        for _ in 0..<20_000 {
            let length = Int(rng.below(24))
            let text = String((0..<length).map { _ in alphabet[Int(rng.below(UInt64(alphabet.count)))] })
            if let values = try? LatencyFile.parse(text) {
                #expect(values.allSatisfy { $0 >= 0 && $0 <= 3_600_000_000_000 })
            }
        }
    }
}
