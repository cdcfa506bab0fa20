import { isIPv4, isIPv6 } from "node:net";
import type { AddressClass } from "../facts/candidates.js";

function v4Number(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inV4(address: string, base: string, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(v4Number(address) / size) === Math.floor(v4Number(base) / size);
}

function classifyV4(a: string): AddressClass {
  if (a === "0.0.0.0") return "unspecified";
  if (inV4(a, "127.0.0.0", 8)) return "loopback";
  if (inV4(a, "169.254.0.0", 16)) return "link-local";
  if (inV4(a, "100.64.0.0", 10)) return "cgnat";
  // Docker's default bridge: the address a container offers when its ports are not host-networked.
  if (inV4(a, "172.17.0.0", 16)) return "container-bridge";
  if (inV4(a, "10.0.0.0", 8) || inV4(a, "172.16.0.0", 12) || inV4(a, "192.168.0.0", 16)) return "private";
  return "public";
}

/** The first 16 bits of an IPv6 address, enough for every range that matters here. */
function firstHextet(a: string): number {
  const head = a.split(":")[0] ?? "";
  return head === "" ? 0 : parseInt(head, 16);
}

function classifyV6(a: string): AddressClass {
  const lower = a.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) return classifyV4(mapped[1]);
  if (lower === "::") return "unspecified";
  if (lower === "::1") return "loopback";
  const h = firstHextet(lower);
  if ((h & 0xffc0) === 0xfe80) return "link-local";
  if ((h & 0xfe00) === 0xfc00) return "private";
  return "public";
}

/**
 * Node's first isIPv6() call compiles a large regular expression (~8 ms, a tenth of a small
 * `explain`); a name without ':' (mDNS, DNS) cannot be an IPv6 literal, so it never pays for it.
 */
function maybeIPv6(a: string): boolean {
  return a.includes(":") && isIPv6(a);
}

/** Where an address in a candidate can be reached from. Names cannot be judged until resolved. */
export function classifyAddress(address: string): AddressClass {
  const a = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(a)) return classifyV4(a);
  if (maybeIPv6(a)) return classifyV6(a);
  return /\.local\.?$/i.test(a) ? "mdns" : "hostname";
}

export function familyOf(address: string): 4 | 6 | undefined {
  const a = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(a)) return 4;
  if (maybeIPv6(a)) return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? 4 : 6;
  return undefined;
}

/** Addresses that only hosts on the same network (or the same machine) can send to. */
export function isLocalOnly(cls: AddressClass): boolean {
  return cls === "private" || cls === "cgnat" || cls === "loopback" || cls === "link-local" || cls === "container-bridge" || cls === "unspecified";
}

/** How far an address reaches: the internet, one site's network, one link, one host. Names are not judged. */
const SCOPE: Partial<Record<AddressClass, number>> = {
  public: 3,
  private: 2,
  cgnat: 2,
  "container-bridge": 2,
  "link-local": 1,
  loopback: 0,
  unspecified: 0,
};

/**
 * A TURN server whose relayed address reaches less far than the address it was reached at (private
 * relay, public server: coturn behind 1:1 NAT without external-ip) relays for nobody outside its
 * own network: peers there cannot send to the relay candidate.
 */
export function relayNarrowerThanServer(relayed: AddressClass | undefined, reached: AddressClass | undefined): boolean {
  const r = relayed === undefined ? undefined : SCOPE[relayed];
  const s = reached === undefined ? undefined : SCOPE[reached];
  return r !== undefined && s !== undefined && r < s;
}
