import Foundation
import Testing
@testable import ArbPostgres

enum TestPostgres {
    static let env = ProcessInfo.processInfo.environment
    static var available: Bool { env["ARBOR_TEST_PG_PORT"] != nil || env["ARBOR_REQUIRE_SERVICES"] == "1" }
    static var endpoint: PostgresEndpoint {
        PostgresEndpoint(host: env["ARBOR_TEST_PG_HOST"] ?? "127.0.0.1", port: Int(env["ARBOR_TEST_PG_PORT"] ?? "") ?? 0,
                         user: env["ARBOR_TEST_PG_USER"] ?? "postgres", database: env["ARBOR_TEST_PG_DATABASE"] ?? "postgres")
    }
}

@Suite("PostgreSQL (real server)", .enabled(if: TestPostgres.available, "needs tools/with-services"), .serialized)
struct PostgresConnectionTests {
    @Test("statements, parameters and NULLs")
    func statements() throws {
        let pg = try PostgresConnection(TestPostgres.endpoint)
        #expect(try pg.execute("SELECT 1 AS one").rows == [["1"]])
        let r = try pg.execute("SELECT $1::numeric + 1 AS x, $2::text AS y", parameters: ["0.000000001", nil])
        #expect(r.columns == ["x", "y"])
        #expect(r.rows == [["1.000000001", nil]])
    }

    @Test("COPY loads rows exactly, escaping tabs, newlines and backslashes")
    func copy() throws {
        let pg = try PostgresConnection(TestPostgres.endpoint)
        try pg.execute("DROP TABLE IF EXISTS arbor_copy_test; CREATE TABLE arbor_copy_test (id int, amount numeric, note text)")
        let rows: [[String?]] = (0..<5_000).map { [String($0), "123456789.123456789", $0 == 7 ? "a\tb\nc\\d" : nil] }
        try pg.copy(into: "arbor_copy_test", columns: ["id", "amount", "note"], rows: rows)
        #expect(try pg.execute("SELECT count(*), sum(amount) FROM arbor_copy_test").rows == [["5000", "617283945617.283945000"]])
        #expect(try pg.execute("SELECT note FROM arbor_copy_test WHERE id = 7").rows == [["a\tb\nc\\d"]])
    }

    @Test("errors carry SQLSTATE and context, never the password")
    func errors() throws {
        let pg = try PostgresConnection(TestPostgres.endpoint)
        do { try pg.execute("SELECT * FROM no_such_table"); Issue.record("expected an error") } catch let e as PostgresError {
            #expect(e.sqlState == "42P01")
            #expect(e.context.contains("SELECT * FROM"))
        }
        var secret = TestPostgres.endpoint
        secret.port = 1
        secret.password = "hunter2"
        do { _ = try PostgresConnection(secret); Issue.record("expected a connection error") } catch let e as PostgresError {
            #expect(e.code == .connectionFailed)
            #expect(!e.description.contains("hunter2"))
        }
    }
}
