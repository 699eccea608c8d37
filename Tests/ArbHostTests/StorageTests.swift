import ArbPostgres
import ArbRedis
import Foundation
import Testing
@testable import ArbHost

enum Services {
    static let env = ProcessInfo.processInfo.environment
    static var available: Bool { env["ARBOR_TEST_REDIS_PORT"] != nil || env["ARBOR_REQUIRE_SERVICES"] == "1" }
    static var redisPort: String { env["ARBOR_TEST_REDIS_PORT"] ?? "0" }
    static var pgPort: String { env["ARBOR_TEST_PG_PORT"] ?? "0" }
    static var pgUser: String { env["ARBOR_TEST_PG_USER"] ?? "postgres" }
    static var storage: String {
        """
        [storage.redis]
        host = "127.0.0.1"
        port = \(redisPort)
        key_prefix = "arbor-test"

        [storage.postgres]
        host = "127.0.0.1"
        port = \(pgPort)
        user = "\(pgUser)"
        database = "postgres"
        batch_size = 50
        """
    }
}

@Suite("Storage (real servers)", .enabled(if: Services.available, "needs tools/with-services"), .serialized)
struct StorageTests {
    @Test("the journal goes to PostgreSQL (COPY) and live state to Redis, matching the file journal")
    func journalsToServers() throws {
        let text = manifestText(dataDir: tempDir("storage"), runtime: "60s", extra: Services.storage)
        let (summary, _) = try run(text)
        let sinks = Dictionary(uniqueKeysWithValues: summary.journal.sinks.map { ($0.name, $0) })
        #expect(sinks["postgres"]?.error == nil && sinks["redis"]?.error == nil, "\(summary.journal.sinks)")
        #expect(sinks["postgres"]?.records == sinks["file"]?.records)
        #expect(summary.orders.sent > 0)

        let pg = try PostgresConnection(PostgresEndpoint(host: "127.0.0.1", port: Int(Services.pgPort)!, user: Services.pgUser, database: "postgres"))
        let orders = try pg.execute("SELECT count(*) FROM arbor_orders WHERE run_id = 'run-7'").rows
        #expect(orders == [[String(summary.orders.sent)]])
        let fills = try pg.execute("SELECT count(*) FROM arbor_reports WHERE run_id = 'run-7' AND kind = 'fill'").rows
        #expect(fills == [[String(summary.orders.fills)]])
        // The opportunity ledger, row for row, with its legs as jsonb.
        let ledger = summary.opportunityLedger
        #expect(ledger.detected > 0)
        let rows = try pg.execute("SELECT count(*), count(*) FILTER (WHERE decision = 'executed') FROM arbor_opportunities WHERE run_id = 'run-7'").rows
        #expect(rows == [[String(ledger.detected), String(ledger.executed)]])
        let legs = try pg.execute("SELECT jsonb_array_length(legs) FROM arbor_opportunities WHERE run_id = 'run-7' AND decision = 'executed' LIMIT 1").rows
        #expect(legs == [["2"]])

        let redis = try RedisConnection(host: "127.0.0.1", port: Int(Services.redisPort)!)
        let state = try redis.command(["HGET", "arbor-test:run-7:state", "orders"])
        #expect(state.integer == Int64(summary.orders.sent))
        #expect(try redis.command(["HGET", "arbor-test:run-7:state", "finished"]) == .string("1"))
        #expect(try redis.command(["HGET", "arbor-test:run-7:order:arb-1", "venue"]).string != nil)
    }

    @Test("configured but unreachable servers stop the run before it starts, saying what to do")
    func unreachable() throws {
        for (service, section) in [("PostgreSQL", "[storage.postgres]\nport = 1\nuser = \"x\"\ndatabase = \"y\""), ("Redis", "[storage.redis]\nport = 1")] {
            let dir = tempDir("unreachable")
            let text = manifestText(dataDir: dir, runtime: "5s", extra: section)
            #expect {
                _ = try run(text)
            } throws: { error in
                let message = String(describing: error)
                return message.contains("\(service) is configured at 127.0.0.1:1") && message.contains("fix:")
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/run-7/summary.json"), "no run happened")
        }
    }

    @Test("a password comes from the environment; a missing variable is a clear error")
    func passwordFromEnvironment() throws {
        let text = manifestText(dataDir: tempDir("env"), runtime: "5s", extra: "[storage.redis]\nport = \(Services.redisPort)\npassword_env = \"ARBOR_TEST_NO_SUCH_VAR\"")
        #expect {
            _ = try run(text, options: RunOptions(showStatus: false, handleSignals: false, environment: [:]))
        } throws: { String(describing: $0).contains("ARBOR_TEST_NO_SUCH_VAR is not set") }
    }
}
