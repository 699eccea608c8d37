import ArbCore
import ArbUniverse

/// The `top_n` universe rule at work in a run: it watches every market event after the
/// kernel's books (traded value and depth within the band, valued in the reporting
/// currency at the kernel's marks), ranks the symbols every `refresh_s` of event time,
/// switches the instruments of the symbols that enter or leave, and journals each change.
/// Symbols start unselected: the first ranking comes `refresh_s` after the start.
final class UniverseGate: MarketWatcher {
    var selector: TopNSelector
    /// Candidate index of each instrument (-1: not a candidate, e.g. the FX book).
    let symbolOfInstrument: [Int]
    let instrumentsOfSymbol: [[InstrumentId]]
    let quoteOfInstrument: [AssetId]
    let depthBps: Int64
    /// Where the changes go (the run's journal).
    var onChange: (UniverseChange, Timestamp) -> Void
    private(set) var changeCount = 0

    init(rule: TopNRule, symbols: [String], universe: Universe, start: Timestamp, onChange: @escaping (UniverseChange, Timestamp) -> Void) {
        let index = Dictionary(uniqueKeysWithValues: symbols.enumerated().map { ($1, $0) })
        symbolOfInstrument = universe.instruments.map { index[$0.baseCode] ?? -1 }
        var bySymbol = Array(repeating: [InstrumentId](), count: symbols.count)
        for (i, s) in symbolOfInstrument.enumerated() where s >= 0 { bySymbol[s].append(InstrumentId(i)) }
        instrumentsOfSymbol = bySymbol
        quoteOfInstrument = universe.instruments.map(\.quote)
        depthBps = rule.depthBps
        selector = TopNSelector(rule: rule, symbols: symbols, symbolOfInstrument: symbolOfInstrument, start: start)
        self.onChange = onChange
    }

    /// Every candidate's instruments start untradable but the allowlist's.
    func install(on kernel: Kernel) {
        for (s, instruments) in instrumentsOfSymbol.enumerated() {
            for id in instruments { kernel.setTradable(id, selector.selected.contains(s)) }
        }
        kernel.marketWatcher = self
    }

    func marketEvent(_ event: MarketEvent, kernel: Kernel) {
        let id = event.instrument
        guard symbolOfInstrument[id.index] >= 0 else { return apply(selector.refreshIfDue(at: kernel.now), kernel) }
        switch event {
        case .trade(let t):
            if let value = kernel.value(Amount.notional(t.price, t.quantity, .down), of: quoteOfInstrument[id.index]) {
                selector.traded(id, value: value, at: kernel.now)
            }
        case .bookSnapshot, .bookDelta:
            if case .bookDelta(let d) = event, !d.endOfMessage { break }
            let inQuote = TopNSelector.depthWithin(depthBps, of: kernel.book(id))
            selector.depthChanged(id, to: kernel.value(inQuote, of: quoteOfInstrument[id.index]) ?? .zero)
        case .status:
            selector.depthChanged(id, to: .zero)
        }
        apply(selector.refreshIfDue(at: kernel.now), kernel)
    }

    func apply(_ changes: [UniverseChange], _ kernel: Kernel) {
        for change in changes {
            guard let s = selector.symbols.firstIndex(of: change.symbol) else { continue }
            for instrument in instrumentsOfSymbol[s] { kernel.setTradable(instrument, change.entered) }
            changeCount += 1
            onChange(change, kernel.now)
        }
    }

    /// The symbols selected now, in candidate order.
    var selectedSymbols: [String] { selector.selected.sorted().map { selector.symbols[$0] } }
}
