/// The run's table of venues, assets and instruments with their dense ids.
/// Built once at wiring time; read-only afterwards.
public struct Universe: Sendable {
    public private(set) var venueNames: [String] = []
    public private(set) var assetCodes: [String] = []
    public private(set) var instruments: [Instrument] = []
    private var assetIndex: [String: AssetId] = [:]
    private var instrumentIndex: [String: InstrumentId] = [:]

    public init() {}

    @discardableResult
    public mutating func addVenue(_ name: String) -> VenueId {
        if let i = venueNames.firstIndex(of: name) { return VenueId(i) }
        venueNames.append(name)
        return VenueId(venueNames.count - 1)
    }

    @discardableResult
    public mutating func asset(_ code: String) -> AssetId {
        if let id = assetIndex[code] { return id }
        let id = AssetId(assetCodes.count)
        assetCodes.append(code)
        assetIndex[code] = id
        return id
    }

    @discardableResult
    public mutating func addInstrument(_ spec: InstrumentSpec, on venue: VenueId) -> InstrumentId {
        let key = "\(venue.index)/\(spec.symbol)"
        if let id = instrumentIndex[key] { return id }
        let id = InstrumentId(instruments.count)
        let base = asset(spec.baseCode), quote = asset(spec.quoteCode)
        instruments.append(Instrument(
            id: id, venue: venue, symbol: spec.symbol, base: base, quote: quote,
            baseCode: spec.baseCode, quoteCode: spec.quoteCode, tickRule: spec.tickRule, lotStep: spec.lotStep,
            minQuantity: spec.minQuantity, maxQuantity: spec.maxQuantity, minNotional: spec.minNotional,
            maxNotional: spec.maxNotional, priceDecimals: spec.priceDecimals, quantityDecimals: spec.quantityDecimals,
            maxMarketQuantity: spec.maxMarketQuantity))
        instrumentIndex[key] = id
        return id
    }

    public var venueCount: Int { venueNames.count }
    public var assetCount: Int { assetCodes.count }

    @inlinable public subscript(_ id: InstrumentId) -> Instrument { instruments[id.index] }
    public func venueName(_ id: VenueId) -> String { venueNames[id.index] }
    public func assetCode(_ id: AssetId) -> String { assetCodes[id.index] }
    public func assetId(_ code: String) -> AssetId? { assetIndex[code] }
    public func venueId(_ name: String) -> VenueId? { venueNames.firstIndex(of: name).map(VenueId.init) }
    public func instrument(venue: VenueId, symbol: String) -> Instrument? {
        instrumentIndex["\(venue.index)/\(symbol)"].map { instruments[$0.index] }
    }
    /// The instrument on `venue` trading `base` against `quote`, if listed.
    public func instrument(venue: VenueId, base: AssetId, quote: AssetId) -> Instrument? {
        instruments.first { $0.venue == venue && $0.base == base && $0.quote == quote }
    }
}
