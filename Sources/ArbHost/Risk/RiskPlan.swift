import ArbCore
import ArbRisk

/// `[risk]` turned into the guard's limits, every value checked: a bad or contradictory
/// value is a manifest error naming its key (all of them at once).
enum RiskPlan {
    static func limits(_ section: RiskSection, loaded: LoadedManifest, universe: Universe, exchangeNames: [String],
                       quoteCurrencies: [String], reportingCurrency: String, errors: inout [ManifestError]) -> RiskLimits {
        var limits = RiskLimits(venueCount: universe.venueCount, assetCount: universe.assetCount)
        func error(_ path: [String], _ message: String) { errors.append(loaded.error(["risk"] + path, message)) }
        func asset(_ code: String, _ path: [String]) -> AssetId? {
            if let a = universe.assetId(code) { return a }
            error(path, "'\(code)' is not an asset of this run (\((0..<universe.assetCount).map { universe.assetCode(AssetId($0)) }.joined(separator: ", ")))")
            return nil
        }
        func positive(_ x: Amount?, _ path: [String]) -> Amount? {
            guard let x else { return nil }
            if x.raw <= 0 { error(path, "must be above 0 (leave the key out for no limit)"); return nil }
            return x
        }
        func rate(_ x: Ratio?, _ path: [String]) -> Ratio? {
            guard let x else { return nil }
            if x.raw <= 0 || x > .one { error(path, "must be above 0 and at most 1, e.g. \"0.2\""); return nil }
            return x
        }
        func count(_ x: Int64, _ range: ClosedRange<Int64>, _ path: [String], _ example: String) -> Int {
            if !range.contains(x) { error(path, "must be between \(range.lowerBound) and \(range.upperBound), e.g. \(example)"); return Int(range.lowerBound) }
            return Int(x)
        }
        func seconds(_ x: Int64, _ range: ClosedRange<Int64>, _ path: [String], _ example: String) -> Duration {
            .seconds(count(x, range, path, example))
        }
        func milliseconds(_ x: Int64?, _ range: ClosedRange<Int64>, _ path: [String], _ example: String) -> Duration? {
            guard let x else { return nil }
            return .milliseconds(count(x, range, path, example))
        }
        let month: Int64 = 30 * 86_400

        limits.reviewInterval = .milliseconds(count(section.reviewMs, 1...60_000, ["review_ms"], "100"))
        switch section.shared {
        case "local": break
        case "redis":
            if loaded.manifest.storage?.redis == nil {
                error(["shared"], "\"redis\" shares the global and exchange tiers through [storage.redis], which this manifest does not have; add it (host, port) or use \"local\"")
            }
        default:
            error(["shared"], "must be \"local\" (this process alone) or \"redis\" (every process on the account), got \"\(section.shared)\"")
        }
        if section.account.isEmpty || section.account.contains(where: { $0 == "{" || $0 == "}" || $0.isWhitespace }) {
            error(["account"], "must be a name without braces or spaces (it goes into the Redis hash tag), e.g. \"main\"")
        }
        if section.fallbackShare.raw <= 0 || section.fallbackShare > .one { error(["fallback_share"], "must be above 0 and at most 1, e.g. \"0.25\" for four processes") }
        _ = count(section.reconnectMs, 10...60_000, ["reconnect_ms"], "1000")
        _ = count(section.processTtlS, 1...86_400, ["process_ttl_s"], "30")
        for code in section.cashAssets ?? ([reportingCurrency] + quoteCurrencies) {
            if section.cashAssets == nil {
                if let a = universe.assetId(code) { limits.isCash[a.index] = true }
            } else if let a = asset(code, ["cash_assets"]) {
                limits.isCash[a.index] = true
            }
        }

        let g = section.global
        limits.global.maxGrossExposure = positive(g.maxGrossExposure, ["global", "max_gross_exposure"])
        limits.global.maxNetExposure = positive(g.maxNetExposure, ["global", "max_net_exposure"])
        limits.global.maxDailyLoss = positive(g.maxDailyLoss, ["global", "max_daily_loss"])
        limits.global.maxDrawdown = positive(g.maxDrawdown, ["global", "max_drawdown"])
        if let n = g.maxOrdersPerSecond { limits.global.maxOrdersPerSecond = count(n, 1...100_000, ["global", "max_orders_per_second"], "20") }
        if let basis = RiskPnLBasis(rawValue: g.pnl) { limits.global.pnlBasis = basis } else {
            error(["global", "pnl"], "must be \"trading\" (what trading did, inventory's own market move left out) or \"equity\" (the whole account), got \"\(g.pnl)\"")
        }
        if let net = limits.global.maxNetExposure, let gross = limits.global.maxGrossExposure, net > gross {
            error(["global", "max_net_exposure"], "\(net) is above max_gross_exposure \(gross): net exposure never exceeds gross; lower it or raise the gross limit")
        }

        for name in section.exchange.keys.sorted() {
            let e = section.exchange[name]!
            let path = ["exchange", name]
            guard let v = exchangeNames.firstIndex(of: name) else {
                error(path, "'\(name)' is not an enabled exchange (\(exchangeNames.joined(separator: ", ")))")
                continue
            }
            var x = ExchangeLimits()
            x.maxExposure = positive(e.maxExposure, path + ["max_exposure"])
            x.balanceFloors = Array(repeating: nil, count: universe.assetCount)
            for code in e.balanceFloors.keys.sorted() {
                guard let a = asset(code, path + ["balance_floors", code]) else { continue }
                let floor = e.balanceFloors[code]!
                if floor.isNegative { error(path + ["balance_floors", code], "must not be negative"); continue }
                x.balanceFloors[a.index] = floor
            }
            x.maxFeedAge = milliseconds(e.maxFeedAgeMs, 1...86_400_000, path + ["max_feed_age_ms"], "2000")
            x.maxRejectRate = rate(e.maxRejectRate, path + ["max_reject_rate"])
            x.healthWindow = seconds(e.healthWindowS, 1...86_400, path + ["health_window_s"], "60")
            x.minSamples = count(e.minSamples, 1...1_000_000, path + ["min_samples"], "20")
            x.maxRoundTripP99 = milliseconds(e.maxRoundTripP99Ms, 1...600_000, path + ["max_round_trip_p99_ms"], "500")
            x.cooldown = seconds(e.cooldownS, 0...month, path + ["cooldown_s"], "30")
            x.rateLimitCooldown = seconds(e.rateLimitCooldownS, 1...month, path + ["rate_limit_cooldown_s"], "60")
            limits.exchanges[v] = x
        }

        let r = section.route
        limits.route.maxNotional = positive(r.maxNotional, ["route", "max_notional"])
        limits.route.maxOpenNotional = positive(r.maxOpenNotional, ["route", "max_open_notional"])
        if let n = r.maxConsecutiveLosses { limits.route.maxConsecutiveLosses = count(n, 1...10_000, ["route", "max_consecutive_losses"], "5") }
        limits.route.lossCooldown = seconds(r.lossCooldownS, 1...month, ["route", "loss_cooldown_s"], "300")
        limits.route.maxBrokenLegRate = rate(r.maxBrokenLegRate, ["route", "max_broken_leg_rate"])
        limits.route.brokenLegWindow = count(r.brokenLegWindow, 1...10_000, ["route", "broken_leg_window"], "20")
        limits.route.minAttempts = count(r.minAttempts, 1...10_000, ["route", "min_attempts"], "5")
        if limits.route.minAttempts > limits.route.brokenLegWindow {
            error(["route", "min_attempts"], "\(r.minAttempts) is above broken_leg_window \(r.brokenLegWindow): the rate would never be judged")
        }
        if let each = limits.route.maxNotional, let open = limits.route.maxOpenNotional, open < each {
            error(["route", "max_open_notional"], "\(open) is below max_notional \(each): an order between the two could never go; raise it to at least \(each)")
        }

        for code in section.symbol.keys.sorted() {
            guard let a = asset(code, ["symbol", code]) else { continue }
            let s = section.symbol[code]!
            limits.symbols[a.index].maxNetPosition = positive(s.maxNetPosition, ["symbol", code, "max_net_position"])
            limits.symbols[a.index].maxImbalance = rate(s.maxImbalance, ["symbol", code, "max_imbalance"])
        }

        for code in section.inventory.keys.sorted() {
            guard let a = asset(code, ["inventory", code]) else { continue }
            for venue in section.inventory[code]!.keys.sorted() {
                let path = ["inventory", code, venue]
                guard let v = exchangeNames.firstIndex(of: venue) else {
                    error(path, "'\(venue)' is not an enabled exchange (\(exchangeNames.joined(separator: ", ")))")
                    continue
                }
                let band = section.inventory[code]![venue]!
                if band.min.isNegative { error(path + ["min"], "must not be negative"); continue }
                if band.min > band.max { error(path + ["min"], "\(band.min) is above max \(band.max): a band needs min ≤ max"); continue }
                if let floor = limits.exchanges[v].balanceFloors.isEmpty ? nil : limits.exchanges[v].balanceFloors[a.index], floor > band.max {
                    error(["exchange", venue, "balance_floors", code], "the floor \(floor) is above the inventory band's max \(band.max) (risk.inventory.\(code).\(venue)): no balance could satisfy both")
                }
                limits.bands[v][a.index] = InventoryBand(min: band.min, max: band.max)
                if let target = band.target, !(band.min...band.max).contains(target) {
                    error(path + ["target"], "\(target) is outside the band \(band.min)–\(band.max)")
                }
                let termsGiven = [band.network != nil, band.withdrawalFee != nil, band.withdrawalMin != nil, band.arrivalS != nil]
                if termsGiven.contains(true) && termsGiven.contains(false) {
                    error(path, "withdrawal terms need all four keys: network, withdrawal_fee, withdrawal_min, arrival_s (the venue's published terms)")
                }
                if let fee = band.withdrawalFee, fee.isNegative { error(path + ["withdrawal_fee"], "must not be negative") }
                if let minimum = band.withdrawalMin, minimum.isNegative { error(path + ["withdrawal_min"], "must not be negative") }
                if let s = band.arrivalS, !(0...30 * 86_400).contains(s) { error(path + ["arrival_s"], "must be between 0 and 2592000, e.g. 1800") }
                if let n = band.network, n.isEmpty { error(path + ["network"], "must name the network, e.g. \"BTC\"") }
            }
        }
        return limits
    }

    /// The inventory tier's planner (nil without bands), or nil with errors already listed.
    static func inventory(_ section: RiskSection, loaded: LoadedManifest, universe: Universe, exchangeNames: [String],
                          limits: RiskLimits, errors: inout [ManifestError]) -> InventoryManager? {
        let bandsSet = limits.bands.contains { $0.contains { $0 != nil } }
        if section.rebalance.execute && !bandsSet {
            errors.append(loaded.error(["risk", "rebalance", "execute"], "there is nothing to rebalance: no [risk.inventory.<ASSET>.<venue>] band is set"))
        }
        if !(1...86_400).contains(section.rebalance.everyS) {
            errors.append(loaded.error(["risk", "rebalance", "every_s"], "must be between 1 and 86400, e.g. 60"))
        }
        let trigger = section.rebalance.trigger
        if trigger.raw <= 0 || trigger > .one {
            errors.append(loaded.error(["risk", "rebalance", "trigger"], "must be above 0 and at most 1 (the share of the way from the target to the band's edge), e.g. \"0.8\""))
        }
        guard bandsSet, (1...86_400).contains(section.rebalance.everyS), trigger.raw > 0, trigger <= .one else { return nil }
        var targets = Array(repeating: [Amount?](repeating: nil, count: universe.assetCount), count: universe.venueCount)
        var terms = Array(repeating: [TransferTerms?](repeating: nil, count: universe.assetCount), count: universe.venueCount)
        for (code, venues) in section.inventory {
            guard let a = universe.assetId(code) else { continue }
            for (venue, band) in venues {
                guard let v = exchangeNames.firstIndex(of: venue) else { continue }
                targets[v][a.index] = band.target
                if let network = band.network, let fee = band.withdrawalFee, let minimum = band.withdrawalMin, let arrival = band.arrivalS,
                   !fee.isNegative, !minimum.isNegative, (0...30 * 86_400).contains(arrival) {
                    terms[v][a.index] = TransferTerms(network: network, withdrawalFee: fee, withdrawalMinimum: minimum, arrival: .seconds(arrival))
                }
            }
        }
        var planner = RebalancePlanner(bands: limits.bands, targets: targets, terms: terms)
        planner.trigger = trigger
        return InventoryManager(planner: planner, execute: section.rebalance.execute,
                                interval: .seconds(section.rebalance.everyS), venueCount: universe.venueCount, assetCount: universe.assetCount)
    }
}
