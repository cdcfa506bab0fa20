import { ConfigError } from "../config/errors.js";
import type { RemoteTarget } from "../probes/connect/types.js";
import type { SignalProtocol } from "../signalling/types.js";

export interface SignalFlags {
  signal?: string;
  protocol: SignalProtocol;
  token?: string;
  header: string[];
  trickle?: boolean;
  restart?: boolean;
  /** commander's --no-audio: false when given. */
  audio?: boolean;
  connect: boolean;
  connectTimeout: number;
  signalTimeout: number;
}

const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/;
/** Headers the request itself must set; overriding them would break the exchange being tested. */
const RESERVED = new Set(["host", "content-length", "content-type", "transfer-encoding", "connection"]);

/** Validates --signal and friends before anything is sent (ConfigError: one line, exit 2). */
export function remoteTargetFrom(flags: SignalFlags, envToken?: string): RemoteTarget | undefined {
  const given = [
    ...(flags.token !== undefined ? ["--token"] : []),
    ...(flags.header.length > 0 ? ["--header"] : []),
    ...(flags.trickle === true ? ["--trickle"] : []),
    ...(flags.restart === true ? ["--restart"] : []),
    ...(flags.audio === false ? ["--no-audio"] : []),
  ];
  if (flags.signal === undefined) {
    if (given.length > 0) throw new ConfigError(`${given.join(", ")} ${given.length === 1 ? "applies" : "apply"} to --signal, and no --signal URL was given`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(flags.signal);
  } catch {
    throw new ConfigError(`--signal '${redactUrl(flags.signal)}': not a URL (expected http(s)://host[:port]/path)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`--signal: expected an http:// or https:// URL, not '${url.protocol}'`);
  }
  const headers: Record<string, string> = {};
  for (const raw of flags.header) {
    const m = HEADER.exec(raw);
    if (!m) throw new ConfigError(`--header: expected "Name: value", got '${raw.split(":")[0]?.slice(0, 40) ?? ""}...'`);
    const name = (m[1] as string).toLowerCase();
    if (RESERVED.has(name)) throw new ConfigError(`--header: ${m[1]} is set by rtc-doctor itself`);
    headers[name] = m[2] as string;
  }
  if (flags.token !== undefined && headers["authorization"] !== undefined) {
    throw new ConfigError("--token and --header 'Authorization: ...' both set the Authorization header; give one");
  }
  // RTC_DOCTOR_TOKEN keeps the token out of the process list and shell history.
  const token = flags.token ?? (headers["authorization"] === undefined && envToken ? envToken : undefined);
  return {
    url: flags.signal,
    protocol: flags.protocol,
    ...(token !== undefined ? { token } : {}),
    headers,
    trickle: flags.trickle === true,
    ...(flags.restart === true ? { restart: true } : {}),
    ...(flags.audio === false ? { audio: false } : {}),
  };
}

/** Values that must never reach any output: the token, header values, URL password and query values. */
export function signalSecrets(flags: SignalFlags): string[] {
  const secrets: string[] = [];
  if (flags.token) secrets.push(flags.token);
  for (const raw of flags.header) {
    const value = HEADER.exec(raw)?.[2]?.trim();
    if (value) {
      secrets.push(value);
      // "Bearer abc": the credential alone may also appear on its own.
      const last = value.split(/\s+/).pop();
      if (last && last !== value) secrets.push(last);
    }
  }
  if (flags.signal) {
    try {
      const url = new URL(flags.signal);
      if (url.password) secrets.push(decodeURIComponent(url.password), url.password);
      for (const value of url.searchParams.values()) if (value) secrets.push(value);
      // A bare parameter (?abc123) may be the token itself; safeUrl blanks it the same way.
      for (const part of url.search.slice(1).split("&")) if (part && !part.includes("=")) secrets.push(part);
    } catch {
      // not a URL: remoteTargetFrom reports it
    }
  }
  return secrets;
}

function redactUrl(value: string): string {
  return value.replace(/\?.*$/, "?…").slice(0, 80);
}
