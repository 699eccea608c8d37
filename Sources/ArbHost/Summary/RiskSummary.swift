import ArbCore
import ArbRisk

extension RunSummary {
    /// The risk guard at the end of a run (`[risk]`): what it decided, how scopes moved,
    /// the largest exposure it saw, and where things stand.
    public struct RiskInfo: Codable, Sendable {
        public struct Transition: Codable, Sendable, Hashable {
            public var scope: String
            public var from: String
            public var to: String
            public var code: String
            public var reason: String
            public var eventTimeNs: Int64
            /// `cooldown` (with `until_ns`) or `explicit_resume`; nil on a return to active.
            public var recovery: String?
            public var untilNs: Int64?
        }
        public struct ScopeState: Codable, Sendable, Hashable {
            public var scope: String
            public var state: String
            public var code: String
        }
        /// Code → count: `allowed`, and each refusal's code.
        public var decisions: [String: Int]
        public var transitions: [Transition]
        /// Transitions beyond the summary's capacity (all are in the journal).
        public var transitionsDropped: Int
        /// Scopes not active at the end.
        public var notActiveAtEnd: [ScopeState]
        public var maxGrossExposureSeen: String
        public var grossExposureEnd: String
        public var netExposureEnd: String
        /// PnL on the configured basis at the last review, the day's, and the drawdown from its peak.
        public var pnlBasis: String
        public var pnl: String?
        public var dailyPnl: String
        public var drawdown: String
        /// Resting orders cancelled because their scope halted.
        public var cancelsOnHalt: Int
        /// The kill switch: SIGUSR1 and `arbd risk` commands applied, and those that named
        /// no scope of this run.
        public var control: RiskControlReport?
        /// The inventory tier, when bands are set.
        public var inventory: Inventory?

        public struct Inventory: Codable, Sendable {
            public struct TransferInfo: Codable, Sendable, Hashable {
                public var asset: String, from: String, to: String, amount: String, fee: String, received: String, network: String
                public var sentAtNs: Int64, arrivesAtNs: Int64, arrived: Bool
                public var feeValue: String?
            }
            public var transfers: [TransferInfo]
            public var proposals: Int
            /// Out of band with no withdrawal terms to fix it.
            public var blocked: [String]
            /// venue → asset → seconds its balance (with what was on its way) spent out of its band.
            public var secondsOutOfBand: [String: [String: Double]]
            public var execute: Bool
        }

        init(_ g: KernelRiskGuard) {
            let r = g.guardian
            var decisions = Dictionary(uniqueKeysWithValues: r.refusals.map { ($0.key.rawValue, $0.value) })
            decisions["allowed"] = r.allowed
            self.decisions = decisions
            transitions = r.states.transitions.map { t in
                var recovery: String? = nil, until: Int64? = nil
                switch t.recovery {
                case .cooldown(let u)?: recovery = "cooldown"; until = u.nanoseconds
                case .explicitResume?: recovery = "explicit_resume"
                case nil: break
                }
                return Transition(scope: g.scopeName(t.scope), from: t.from.rawValue, to: t.to.rawValue, code: t.code.rawValue, reason: t.reason,
                                  eventTimeNs: t.at.nanoseconds, recovery: recovery, untilNs: until)
            }
            transitionsDropped = r.states.transitionsDropped
            notActiveAtEnd = r.states.notActive.map { ScopeState(scope: g.scopeName($0.scope), state: $0.state.rawValue, code: $0.code.rawValue) }
            maxGrossExposureSeen = r.maxGrossExposureSeen.description
            grossExposureEnd = r.exposure.grossExposure.description
            netExposureEnd = r.exposure.netExposure.description
            pnlBasis = r.limits.global.pnlBasis.rawValue
            pnl = r.pnl?.description
            dailyPnl = r.dailyPnL.description
            drawdown = r.drawdown.description
            cancelsOnHalt = g.cancelsOnHalt
            if let manager = g.inventory, let kernel = g.kernel {
                let u = kernel.universe
                var out: [String: [String: Double]] = [:]
                for v in 0..<u.venueCount {
                    for a in 0..<u.assetCount where manager.planner.bands[v][a] != nil {
                        out[u.venueNames[v], default: [:]][u.assetCode(AssetId(a))] = Double(manager.outOfBandNanoseconds[v * u.assetCount + a]) / 1e9
                    }
                }
                inventory = Inventory(transfers: kernel.transfers.map { x in
                    Inventory.TransferInfo(asset: u.assetCode(x.asset), from: u.venueName(x.from), to: u.venueName(x.to), amount: x.amount.description,
                                           fee: x.fee.description, received: x.received.description, network: x.network,
                                           sentAtNs: x.sentAt.nanoseconds, arrivesAtNs: x.arrivesAt.nanoseconds, arrived: x.arrived,
                                           feeValue: x.feeValue?.description)
                }, proposals: manager.proposals.count, blocked: manager.blocked.sorted(), secondsOutOfBand: out, execute: manager.execute)
            }
        }
    }
}
