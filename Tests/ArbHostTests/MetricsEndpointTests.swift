import ArbCore
import ArbdPlugins
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import ArbHost

@Suite("[metrics]: Prometheus over HTTP")
struct MetricsEndpointTests {
    @Test("a listen address that is not host:port is a manifest error naming metrics.listen", arguments: [
        "localhost", "127.0.0.1:99999", ":9464", "127.0.0.1:-1", "127.0.0.1:http", "local host:9464",
    ])
    func badListen(listen: String) {
        let text = problem(manifestText(extra: "[metrics]\nlisten = \"\(listen)\""))
        #expect(text.contains("metrics.listen") && text.contains("host:port"), "\(text)")
    }

    @Test("an unknown [metrics] key is named")
    func unknownKey() {
        let text = problem(manifestText(extra: "[metrics]\nlisten = \"127.0.0.1:0\"\nport = 9464"))
        #expect(text.contains("metrics") && text.contains("port"), "\(text)")
    }

    @Test("a port already taken: the run does not start, and says which key and what to do")
    func portTaken() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let taken = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? taken.close().wait() }
        let port = taken.localAddress?.port ?? 0
        let dir = NSTemporaryDirectory() + "arbor-metrics-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try load(manifestText(dataDir: dir, runtime: "1s", extra: "[metrics]\nlisten = \"127.0.0.1:\(port)\""))
        let run = PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false))
        do {
            _ = try run.execute()
            Issue.record("the run started on a taken port")
        } catch {
            #expect("\(error)".contains("metrics.listen") && "\(error)".contains("free port"), "\(error)")
        }
    }

    @Test("a synthetic run serves the run's counters while it lasts")
    func syntheticRun() throws {
        let dir = NSTemporaryDirectory() + "arbor-metrics-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try load(manifestText(dataDir: dir, runtime: "4s", extra: "clock_placeholder\n[metrics]\nlisten = \"127.0.0.1:0\"")
            .replacingOccurrences(of: "clock_placeholder\n", with: "")
            .replacingOccurrences(of: "reporting_currency = \"USDT\"", with: "reporting_currency = \"USDT\"\nclock = \"wall\""))
        final class Shared: @unchecked Sendable {
            let run: PaperRun
            var body: String?
            init(_ run: PaperRun) { self.run = run }
        }
        let shared = Shared(PaperRun(plan: plan, options: RunOptions(showStatus: false, handleSignals: false)))
        let scraper = Thread {
            usleep(2_500_000)
            guard let port = shared.run.metrics?.port else { return }
            shared.body = httpGet("http://127.0.0.1:\(port)/metrics")?.body
        }
        scraper.start()
        _ = try shared.run.execute()
        let body = try #require(shared.body)
        #expect(body.range(of: #"arbor_run_market_events_total [1-9]"#, options: .regularExpression) != nil, "\(body)")
    }
}
