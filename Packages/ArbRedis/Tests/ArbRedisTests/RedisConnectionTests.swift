import Foundation
import Testing
@testable import ArbRedis

/// The server `tools/with-services` starts. With ARBOR_REQUIRE_SERVICES=1 (the project's
/// test command sets it) a missing server is a failure, not a skip.
enum TestRedis {
    static let env = ProcessInfo.processInfo.environment
    static var port: Int? { env["ARBOR_TEST_REDIS_PORT"].flatMap(Int.init) }
    static var available: Bool { port != nil || env["ARBOR_REQUIRE_SERVICES"] == "1" }
    static func connect() throws -> RedisConnection {
        guard let port else { throw RedisError(code: .connectionFailed, message: "ARBOR_TEST_REDIS_PORT not set; run under tools/with-services", context: "test") }
        return try RedisConnection(host: env["ARBOR_TEST_REDIS_HOST"] ?? "127.0.0.1", port: port)
    }
}

@Suite("Redis (real server)", .enabled(if: TestRedis.available, "needs tools/with-services"))
struct RedisConnectionTests {
    @Test("commands and replies, binary-safe values")
    func roundTrip() throws {
        let redis = try TestRedis.connect()
        #expect(try redis.command(["PING"]) == .status("PONG"))
        let value = "tab\there\nnul\u{0}end ünïcode"
        #expect(try redis.command(["SET", "arbor:test:k", value]) == .status("OK"))
        #expect(try redis.command(["GET", "arbor:test:k"]) == .string(value))
        #expect(try redis.command(["INCRBY", "arbor:test:n", "5"]).integer == 5)
        #expect(try redis.command(["GET", "arbor:test:missing"]) == .null)
        if case .error(let message) = try redis.command(["INCR", "arbor:test:k"]) { #expect(message.contains("not an integer")) }
        else { Issue.record("expected an error reply") }
    }

    @Test("a pipeline of 10,000 commands returns every reply in order")
    func pipeline() throws {
        let redis = try TestRedis.connect()
        try redis.command(["DEL", "arbor:test:list"])
        let replies = try redis.pipeline((0..<10_000).map { ["RPUSH", "arbor:test:list", String($0)] })
        #expect(replies.count == 10_000)
        #expect(replies.last == .integer(10_000))
        #expect(try redis.command(["LINDEX", "arbor:test:list", "1234"]) == .string("1234"))
    }

    @Test("an unreachable server is a clear connection error")
    func unreachable() {
        #expect(throws: RedisError.self) { try RedisConnection(host: "127.0.0.1", port: 1, timeoutMilliseconds: 500) }
        do { _ = try RedisConnection(host: "127.0.0.1", port: 1, timeoutMilliseconds: 500) } catch let e as RedisError {
            #expect(e.code == .connectionFailed && e.description.contains("127.0.0.1:1"))
        } catch { Issue.record("unexpected \(error)") }
    }
}

@Test("a port or timeout out of range is a clear error, not a trap converting it for hiredis",
      arguments: [(0, 500), (65_536, 500), (Int.max, 500), (6379, 0), (6379, Int.max)])
func outOfRangeEndpoint(_ endpoint: (port: Int, timeout: Int)) {
    let error = #expect(throws: RedisError.self) { try RedisConnection(host: "127.0.0.1", port: endpoint.port, timeoutMilliseconds: endpoint.timeout) }
    #expect(error?.description.contains("port must be 1-65535") == true)
}
