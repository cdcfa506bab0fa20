/** One exporter module, resolved from the modules file: secrets read, durations in milliseconds. */
export interface ExporterModule {
  name: string;
  /** Upper bound on one probe; the scrape's own timeout may cut it shorter. */
  timeoutMs: number;
  /** A loopback connection through the target after its probe; undefined: only through TURN targets. */
  connect?: boolean;
  /** How long the connection's quality flood runs (0 skips it); undefined: DEFAULT_MODULE_QUALITY_MS. */
  qualityMs?: number;
  nat: boolean;
  turn?: TurnModuleCredentials;
  tls: {
    ca?: string;
    failIfNotVerified: boolean;
    failIfExpiresWithinMs?: number;
  };
}

/** Static credentials, or a TURN REST shared secret that mints fresh ones for every probe. */
export type TurnModuleCredentials =
  | { kind: "static"; username: string; credential: string }
  | { kind: "rest"; secret: string; ttlSec: number; user?: string };

export const DEFAULT_MODULE_TIMEOUT_MS = 10_000;
/** As check's default: long enough for a voice-like stream and a short bitrate ramp. */
export const DEFAULT_MODULE_QUALITY_MS = 1000;
export const DEFAULT_REST_TTL_SEC = 3600;

/** The module `exporter` serves when no modules file is given: STUN Binding or TURN Allocate, no connection. */
export function builtInModules(): Map<string, ExporterModule> {
  return new Map([["default", { name: "default", timeoutMs: DEFAULT_MODULE_TIMEOUT_MS, connect: false, nat: false, tls: { failIfNotVerified: true } }]]);
}

/** Every secret a module holds, for the output scrubber. */
export function moduleSecrets(module: ExporterModule): string[] {
  const turn = module.turn;
  if (!turn) return [];
  return turn.kind === "static" ? [turn.credential] : [turn.secret];
}
