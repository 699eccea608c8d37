import ArbHost
import ArbdPlugins
import FuzzSupport

// The manifest loader and the whole run plan (what `arbd check` does): any TOML must
// give a plan or an error, never a trap.
runFuzzer { data, size in
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    if let loaded = try? ManifestLoader.load(text: text, file: "fuzz.toml") { _ = try? RunPlan(loaded, plugins: registeredPlugins) }
    return 0
}
