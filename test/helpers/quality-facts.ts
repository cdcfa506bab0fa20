import type { ConnectivityFact, QualityFact } from "../../src/facts/index.js";

/** A measured path's quality: healthy unless patched. */
export function quality(patch: Partial<QualityFact> = {}): QualityFact {
  return {
    measured: true,
    durationMs: 1000,
    packetBytes: 160,
    intervalMs: 20,
    packetsSent: 25,
    packetsReceived: 25,
    lossPercent: 0,
    rtt: { minMs: 20, medianMs: 24, p95Ms: 30, p99Ms: 31 },
    jitterMs: 2,
    mos: 4.4,
    bitrate: { heldKbps: 4000, ceilingKbps: 4000, reachedCeiling: true, carriedKbps: 1400, steps: [] },
    ...patch,
  };
}

/** A connected attempt of `mode` with that quality. */
export function measuredPath(mode: ConnectivityFact["mode"], q: QualityFact, via?: string): ConnectivityFact {
  return {
    mode,
    ...(via ?? (mode === "loopback-relay" ? "turn:198.51.100.1:3478?transport=udp" : undefined) ? { via: via ?? "turn:198.51.100.1:3478?transport=udp" } : {}),
    ok: true,
    durationMs: 2000,
    iceStates: [],
    pairs: [],
    localCandidates: [],
    remoteCandidates: [],
    quality: q,
  };
}
