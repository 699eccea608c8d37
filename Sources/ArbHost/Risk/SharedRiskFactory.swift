import ArbCore
import ArbRedis
import ArbRisk
import ArbRiskRedis
import Foundation
import Logging

/// The shared tier `[risk] shared = "redis"` asks for, on `[storage.redis]`.
enum SharedRiskFactory {
    static func make(plan: RunPlan) throws -> RedisRiskTier? {
        guard let section = plan.manifest.risk, section.shared == "redis" else { return nil }
        guard let redis = plan.manifest.storage?.redis else {
            throw plan.loaded.error(["risk", "shared"], "\"redis\" needs [storage.redis]")
        }
        var password: String? = nil
        if let variable = redis.passwordEnv {
            guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                throw plan.loaded.error(["storage", "redis", "password_env"], "the environment variable \(variable) is not set")
            }
            password = value
        }
        return RedisRiskTier(prefix: redis.keyPrefix, account: section.account, fallbackShare: section.fallbackShare,
                             processTTL: .seconds(section.processTtlS), reconnectInterval: .milliseconds(section.reconnectMs),
                             logger: Logger(label: "arbor.risk.redis"), wallNanoseconds: { MonotonicClock.nanoseconds() }) {
            try RedisConnection(host: redis.host, port: redis.port, timeoutMilliseconds: 500, password: password, database: redis.database)
        }
    }
}
