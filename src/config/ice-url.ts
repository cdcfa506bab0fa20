import { isIPv4, isIPv6 } from "node:net";
import { shownValue } from "./json-input.js";
import { ConfigError } from "./errors.js";
import type { HostKind, IceScheme, IceTransport, IceUrl } from "./types.js";

const DEFAULT_PORT: Record<IceScheme, number> = { stun: 3478, turn: 3478, stuns: 5349, turns: 5349 };
const SCHEMES = new Set<string>(["stun", "stuns", "turn", "turns"]);
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function fail(raw: string, why: string): never {
  throw new ConfigError(`invalid ICE server URL '${shownValue(raw)}': ${why}`);
}

/**
 * Parses a STUN/TURN URL as RFC 7064 and RFC 7065 define it. Browsers reject the same inputs
 * (a '//' after the scheme, userinfo, a path), so a URL accepted here behaves the same in a browser.
 */
export function parseIceUrl(raw: string): IceUrl {
  const input = raw.trim();
  const colon = input.indexOf(":");
  if (colon <= 0) fail(raw, "expected <scheme>:<host>[:<port>], e.g. stun:stun.example.com:3478");
  const scheme = input.slice(0, colon).toLowerCase();
  if (!SCHEMES.has(scheme)) {
    fail(raw, `unknown scheme '${shownValue(scheme)}:' (expected stun:, stuns:, turn: or turns:)`);
  }
  const iceScheme = scheme as IceScheme;
  let rest = input.slice(colon + 1);
  if (rest.startsWith("//")) fail(raw, `remove the '//' after '${scheme}:' (RFC 7064/7065 URLs have none)`);

  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (rest.includes("@")) fail(raw, "credentials do not belong in the URL; give them as username/credential");
  if (rest.includes("/")) fail(raw, "a STUN/TURN URL has no path");

  let host: string;
  let portText: string | undefined;
  let hostKind: HostKind;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) fail(raw, "unterminated IPv6 address (missing ']')");
    host = rest.slice(1, close);
    if (!isIPv6(host)) fail(raw, `'${shownValue(host)}' is not an IPv6 address`);
    hostKind = "ipv6";
    const after = rest.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) fail(raw, "unexpected text after the IPv6 address");
      portText = after.slice(1);
    }
  } else {
    const parts = rest.split(":");
    if (parts.length > 2) fail(raw, "an IPv6 address must be written in brackets, e.g. stun:[2001:db8::1]:3478");
    host = parts[0] ?? "";
    portText = parts[1];
    if (host === "") fail(raw, "missing host");
    if (isIPv4(host)) hostKind = "ipv4";
    else if (/^[0-9.]+$/.test(host)) fail(raw, `'${shownValue(host)}' is not a valid IPv4 address`);
    else if (HOSTNAME.test(host)) hostKind = "name";
    else fail(raw, `'${shownValue(host)}' is not a valid host name`);
  }

  let port = DEFAULT_PORT[iceScheme];
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      fail(raw, `port '${shownValue(portText)}' is not a number from 1 to 65535`);
    }
    port = Number(portText);
  }

  const secure = iceScheme === "stuns" || iceScheme === "turns";
  let transport: IceTransport = secure ? "tls" : "udp";
  if (query !== "") {
    const params = new URLSearchParams(query);
    for (const key of params.keys()) {
      if (key !== "transport") fail(raw, `unknown parameter '${shownValue(key)}' (only ?transport=udp|tcp is defined)`);
    }
    const value = params.get("transport")?.toLowerCase();
    if (value !== "udp" && value !== "tcp") fail(raw, `transport must be udp or tcp, not '${shownValue(value ?? "")}'`);
    if (secure && value === "udp") fail(raw, `${iceScheme}: runs over TLS/TCP; ?transport=udp (DTLS) is not supported`);
    if (!secure) transport = value;
  }

  return { raw: input, scheme: iceScheme, host, hostKind, port, transport, isTurn: iceScheme.startsWith("turn") };
}

/** host:port with IPv6 brackets, for messages and keys. */
export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
