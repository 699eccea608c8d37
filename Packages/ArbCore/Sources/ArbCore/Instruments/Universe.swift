/// The run's table of venues, assets and instruments with their dense ids.
/// Built once at wiring time; read-only afterwards.
public struct Universe: Sendable {
    /// Venue names by `VenueId` index (the manifest's section names).
    public private(set) var venueNames: [String] = []
    /// Asset codes by `AssetId` index.
    public private(set) var assetCodes: [String] = []
    /// Every instrument, by `InstrumentId` index.
    public private(set) var instruments: [Instrument] = []
    private var assetIndex: [String: AssetId] = [:]
    private var instrumentIndex: [String: InstrumentId] = [:]

    /// An empty universe.
    public init() {}

    @discardableResult
    /// Adds a venue (or finds it).
    public mutating func addVenue(_ name: String) -> VenueId {
        if let i = venueNames.firstIndex(of: name) { return VenueId(i) }
        venueNames.append(name)
        return VenueId(venueNames.count - 1)
    }

    @discardableResult
    /// The id of an asset, added if new.
    public mutating func asset(_ code: String) -> AssetId {
        if let id = assetIndex[code] { return id }
        let id = AssetId(assetCodes.count)
        assetCodes.append(code)
        assetIndex[code] = id
        return id
    }

    @discardableResult
    /// Adds a listing on a venue (or finds it).
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

    /// How many venues.
    public var venueCount: Int { venueNames.count }
    /// How many assets.
    public var assetCount: Int { assetCodes.count }

    /// The instrument with this id.
    @inlinable public subscript(_ id: InstrumentId) -> Instrument { instruments[id.index] }
    /// A venue's name.
    public func venueName(_ id: VenueId) -> String { venueNames[id.index] }
    /// An asset's code.
    public func assetCode(_ id: AssetId) -> String { assetCodes[id.index] }
    /// An asset's id, if the run has it.
    public func assetId(_ code: String) -> AssetId? { assetIndex[code] }
    /// A venue's id, if it is enabled.
    public func venueId(_ name: String) -> VenueId? { venueNames.firstIndex(of: name).map(VenueId.init) }
    /// An instrument by its venue's own symbol, if the run has it.
    public func instrument(venue: VenueId, symbol: String) -> Instrument? {
        instrumentIndex["\(venue.index)/\(symbol)"].map { instruments[$0.index] }
    }
    /// The instrument on `venue` trading `base` against `quote`, if listed.
    public func instrument(venue: VenueId, base: AssetId, quote: AssetId) -> Instrument? {
        instruments.first { $0.venue == venue && $0.base == base && $0.quote == quote }
    }
}
