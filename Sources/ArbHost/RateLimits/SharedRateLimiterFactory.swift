import ArbCore
import ArbRateLimit
import ArbRateLimitRedis
import ArbRedis
import Foundation
import Logging

/// Builds the Redis-shared limiter from the manifest's [storage.redis] section.
enum SharedRateLimiterFactory {
    static func make(rules: any RateLimitRules, section: RateLimitSection, plan: RunPlan) throws -> any RateLimitBackend {
        guard let redis = plan.manifest.storage?.redis else {
            throw plan.loaded.error(["storage", "redis"], "the redis rate-limit backend needs this section")
        }
        var password: String? = nil
        if let variable = redis.passwordEnv {
            guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                throw plan.loaded.error(["storage", "redis", "password_env"], "the environment variable \(variable) is not set")
            }
            password = value
        }
        return RedisRateLimiter(rules: rules, policy: section.policy, prefix: redis.keyPrefix, fallbackShare: section.fallbackShare,
                                reconnectInterval: .milliseconds(section.reconnectMs), connectTimeout: .milliseconds(500),
                                logger: Logger(label: "arbor.ratelimit.redis")) {
            try RedisConnection(host: redis.host, port: redis.port, timeoutMilliseconds: 500, password: password, database: redis.database)
        }
    }
}
