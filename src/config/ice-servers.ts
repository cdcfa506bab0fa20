import { parseJsonInput, shownValue } from "./json-input.js";
import { MAX_CONFIG_JSON_BYTES, MAX_ICE_SERVERS, MAX_TARGETS, MAX_URLS_PER_ICE_SERVER } from "./limits.js";
import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";
import { parseIceUrl } from "./ice-url.js";
import { DEFAULT_STUN_URLS } from "./defaults.js";
import type { IceServerTarget, RTCIceServerInput, RTCIceServerLike, ServerSource } from "./types.js";
import { mintTurnRestCredential } from "./turn-rest.js";
import { targetKey, withIds } from "./target-id.js";

export interface ServerInputs {
  /** STUN URLs (CLI: --stun) */
  stun?: readonly string[];
  /** TURN URLs (CLI: --turn); `username` and `credential` go with them */
  turn?: readonly string[];
  /** The credentials of the `turn` URLs */
  username?: string;
  credential?: string;
  /** coturn's static-auth-secret, to mint TURN REST credentials for the `turn` URLs */
  turnSecret?: string;
  /** Lifetime of minted credentials in seconds (negative: already expired) */
  turnTtlSec?: number;
  /** The user part of a minted username */
  turnUser?: string;
  /** Where the stun/turn lists came from when not from flags (the config file fills them too). */
  listSources?: { stun?: ServerSource; turn?: ServerSource };
  /** Clock for minting; tests pin it. */
  now?: Date;
  /** An RTCIceServer list: inline JSON or @path */
  iceServers?: string;
  /** RTC_DOCTOR_ICE_SERVERS and friends */
  env?: NodeJS.ProcessEnv;
  /** RTCIceServer lists from other places (config file, signalling, API callers) */
  extra?: readonly { servers: readonly RTCIceServerInput[]; source: ServerSource }[];
}

export interface ResolvedServers {
  targets: IceServerTarget[];
  /** True when nothing was configured and the built-in public STUN list is used. */
  usedDefaults: boolean;
  /** Secrets that are in no target (a TURN REST shared secret), for the output scrubber. */
  secrets?: string[];
}

function readJsonArgument(value: string, what: string): unknown {
  let text = value;
  if (value.startsWith("@")) {
    const path = value.slice(1);
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(`${what}: cannot read file '${shownValue(path)}'${code ? ` (${code})` : ""}`);
    }
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_JSON_BYTES) {
    throw new ConfigError(`${what}: ${Buffer.byteLength(text)} bytes; at most ${MAX_CONFIG_JSON_BYTES} are read`);
  }
  return parseJsonInput(text, (why) => new ConfigError(`${what}: ${why}`));
}

/**
 * Accepts the browser's RTCIceServer[] and the `{ iceServers: [...] }` wrapper that Pipecat's /start,
 * Twilio's token API and most providers return. Credential values are never echoed in errors.
 */
export function parseIceServerList(value: unknown, what: string): RTCIceServerLike[] {
  const list =
    value !== null && typeof value === "object" && !Array.isArray(value) && "iceServers" in value
      ? (value as { iceServers: unknown }).iceServers
      : value;
  if (!Array.isArray(list)) {
    throw new ConfigError(`${what}: expected an array of RTCIceServer objects or {"iceServers": [...]}`);
  }
  if (list.length > MAX_ICE_SERVERS) throw new ConfigError(`${what}: ${list.length} entries; at most ${MAX_ICE_SERVERS} are accepted`);
  return list.map((entry, i) => {
    const where = `${what}[${i}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new ConfigError(`${where}: expected an object with "urls"`);
    }
    const { urls, username, credential } = entry as Record<string, unknown>;
    const urlList = typeof urls === "string" ? [urls] : urls;
    if (!Array.isArray(urlList) || urlList.length === 0 || !urlList.every((u) => typeof u === "string")) {
      throw new ConfigError(`${where}.urls: expected a URL string or a non-empty array of URL strings`);
    }
    if (urlList.length > MAX_URLS_PER_ICE_SERVER) throw new ConfigError(`${where}.urls: ${urlList.length} URLs; at most ${MAX_URLS_PER_ICE_SERVER} are accepted`);
    if (username !== undefined && typeof username !== "string") {
      throw new ConfigError(`${where}.username: expected a string`);
    }
    if (credential !== undefined && typeof credential !== "string") {
      throw new ConfigError(`${where}.credential: expected a string (OAuth credentials are not supported)`);
    }
    const server: RTCIceServerLike = { urls: urlList as string[] };
    if (username !== undefined) server.username = username;
    if (credential !== undefined) server.credential = credential;
    return server;
  });
}

type Unidentified = Omit<IceServerTarget, "id">;

/** The one place a single-string `urls` becomes a list. */
export function normaliseIceServer(server: RTCIceServerInput): RTCIceServerLike {
  return { ...server, urls: typeof server.urls === "string" ? [server.urls] : [...server.urls] };
}

function targetsFrom(servers: readonly RTCIceServerInput[], source: ServerSource, what: string): Unidentified[] {
  const targets: Unidentified[] = [];
  servers.map(normaliseIceServer).forEach((server, i) => {
    for (const raw of server.urls) {
      const url = parseIceUrl(raw);
      if (url.isTurn && (!server.username || server.credential === undefined || server.credential === "")) {
        throw new ConfigError(`${what}[${i}]: TURN URL '${shownValue(url.raw)}' needs a username and a credential`);
      }
      const target: { -readonly [K in keyof Unidentified]: Unidentified[K] } = { url, source };
      // STUN needs no credentials; keeping them off STUN targets keeps them out of every probe path.
      if (url.isTurn) {
        target.username = server.username;
        target.credential = server.credential;
      }
      targets.push(target);
    }
  });
  return targets;
}

/** Every source of ICE servers, validated before anything is sent. Throws ConfigError (exit 2). */
export function resolveIceServers(inputs: ServerInputs): ResolvedServers {
  const targets: Unidentified[] = [];

  for (const raw of inputs.stun ?? []) {
    const url = parseIceUrl(raw);
    if (url.isTurn) throw new ConfigError(`{option:stun} '${shownValue(raw)}': this is a TURN URL; pass it with {option:turn}`);
    targets.push({ url, source: inputs.listSources?.stun ?? "flag" });
  }
  const turnFlags = inputs.turn ?? [];
  if (turnFlags.length === 0 && (inputs.username !== undefined || inputs.credential !== undefined)) {
    throw new ConfigError("{option:username}/{option:credential} apply to {option:turn} URLs, and no {option:turn} URL was given");
  }
  if (turnFlags.length === 0 && (inputs.turnSecret !== undefined || inputs.turnTtlSec !== undefined || inputs.turnUser !== undefined)) {
    throw new ConfigError("{option:turnSecret}/{option:turnTtlSec}/{option:turnUser} apply to {option:turn} URLs, and no {option:turn} URL was given");
  }
  const turnAuth = turnFlags.length > 0 ? turnCredentials(inputs) : undefined;
  for (const raw of turnFlags) {
    const url = parseIceUrl(raw);
    if (!url.isTurn) throw new ConfigError(`{option:turn} '${shownValue(raw)}': this is a STUN URL; pass it with {option:stun}`);
    if (!turnAuth?.username || !turnAuth.credential) {
      throw new ConfigError(`{option:turn} '${shownValue(raw)}' needs {option:username} and {option:credential} (or {option:turnSecret})`);
    }
    const { username, credential, restMinted } = turnAuth;
    targets.push({ url, username, credential, ...(restMinted ? { restMinted } : {}), source: inputs.listSources?.turn ?? "flag" });
  }

  if (inputs.iceServers !== undefined) {
    const list = parseIceServerList(readJsonArgument(inputs.iceServers, "{option:iceServers}"), "{option:iceServers}");
    for (const t of targetsFrom(list, "ice-servers", "{option:iceServers}")) targets.push(t);
  }

  const envJson = inputs.env?.["RTC_DOCTOR_ICE_SERVERS"];
  if (envJson !== undefined && envJson.trim() !== "") {
    const list = parseIceServerList(readJsonArgument(envJson, "RTC_DOCTOR_ICE_SERVERS"), "RTC_DOCTOR_ICE_SERVERS");
    for (const t of targetsFrom(list, "env", "RTC_DOCTOR_ICE_SERVERS")) targets.push(t);
  }

  for (const extra of inputs.extra ?? []) {
    for (const t of targetsFrom(extra.servers, extra.source, extra.source)) targets.push(t);
  }

  const unique = dedupe(targets);
  if (unique.length > MAX_TARGETS) throw new ConfigError(`${unique.length} ICE server URLs in all; at most ${MAX_TARGETS} are probed in one run`);
  const secrets = turnAuth?.secret ? [turnAuth.secret] : [];
  if (unique.length > 0) return { targets: withIds(unique), usedDefaults: false, secrets };
  return {
    targets: withIds(DEFAULT_STUN_URLS.map((raw) => ({ url: parseIceUrl(raw), source: "default" as const }))),
    usedDefaults: true,
  };
}

/**
 * The credentials for the --turn URLs: a static --credential, or TURN REST credentials minted from a
 * shared secret. Flags win over RTC_DOCTOR_TURN_CREDENTIAL / RTC_DOCTOR_TURN_SECRET, which keep the
 * secret out of the process list and shell history.
 */
function turnCredentials(inputs: ServerInputs): { username?: string; credential?: string; restMinted?: boolean; secret?: string } {
  const env = inputs.env ?? {};
  const fromEnv = (name: string) => (env[name] !== undefined && env[name] !== "" ? env[name] : undefined);
  const credential = inputs.credential ?? (inputs.turnSecret === undefined ? fromEnv("RTC_DOCTOR_TURN_CREDENTIAL") : undefined);
  const secret = inputs.turnSecret ?? (inputs.credential === undefined ? fromEnv("RTC_DOCTOR_TURN_SECRET") : undefined);
  if (credential !== undefined && secret !== undefined) {
    throw new ConfigError(
      "both a TURN credential and a TURN REST secret are given ({option:credential}/RTC_DOCTOR_TURN_CREDENTIAL and {option:turnSecret}/RTC_DOCTOR_TURN_SECRET): give one",
    );
  }
  if (secret === undefined) {
    if (inputs.turnTtlSec !== undefined || inputs.turnUser !== undefined) {
      throw new ConfigError("{option:turnTtlSec}/{option:turnUser} need {option:turnSecret} (or RTC_DOCTOR_TURN_SECRET)");
    }
    return { username: inputs.username, credential };
  }
  if (inputs.username !== undefined) {
    throw new ConfigError("{option:username} is minted from {option:turnSecret}; give the user part with {option:turnUser} instead");
  }
  if (secret.length < 3) throw new ConfigError("{option:turnSecret} is too short to be a shared secret");
  const minted = mintTurnRestCredential({ secret, ttlSec: inputs.turnTtlSec, user: inputs.turnUser, now: inputs.now });
  return { username: minted.username, credential: minted.credential, restMinted: true, secret };
}

/** The same URL with the same username is one probe, wherever it was configured. */
function dedupe(targets: Unidentified[]): Unidentified[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = targetKey(t.url, t.username);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every secret value in the configuration, for the last-line redaction of all output. */
export function secretsOf(targets: readonly IceServerTarget[]): string[] {
  return targets.flatMap((t) => (t.credential ? [t.credential] : []));
}
