import type { RTCIceServerLike } from "../config/types.js";

/** One link of an RFC 8288 Link header: the target and its parameters (names lower-cased). */
export interface ParsedLink {
  target: string;
  /** First occurrence wins, as RFC 8288 section 3 asks for `rel`. */
  params: Map<string, string>;
}

/**
 * Parses RFC 8288 Link header values. Several Link headers arrive joined by ", " (fetch's Headers
 * does that), which is also how several links share one header, so both read the same. A
 * character-level reader, because quoted strings may hold commas, semicolons and escaped quotes
 * (`credential="a\"b,c"`) that a split or a regex would cut in the wrong place. Malformed links
 * are skipped, not fatal: a server's odd header must not end the attempt.
 */
export function parseLinks(header: string | null | undefined): ParsedLink[] {
  if (!header) return [];
  const links: ParsedLink[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = () => {
    while (i < n && /\s/.test(header[i] as string)) i += 1;
  };
  const skipToNextLink = () => {
    let quoted = false;
    for (; i < n; i += 1) {
      const ch = header[i];
      if (quoted && ch === "\\") i += 1;
      else if (ch === '"') quoted = !quoted;
      else if (ch === "," && !quoted) break;
    }
    i += 1;
  };

  while (i < n) {
    skipWs();
    if (header[i] === ",") {
      i += 1;
      continue;
    }
    if (header[i] !== "<") {
      skipToNextLink();
      continue;
    }
    const close = header.indexOf(">", i);
    if (close < 0) break;
    const link: ParsedLink = { target: header.slice(i + 1, close).trim(), params: new Map() };
    i = close + 1;
    for (;;) {
      skipWs();
      if (header[i] !== ";") break;
      i += 1;
      skipWs();
      const nameStart = i;
      while (i < n && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i] as string)) i += 1;
      const name = header.slice(nameStart, i).toLowerCase();
      skipWs();
      let value = "";
      if (header[i] === "=") {
        i += 1;
        skipWs();
        if (header[i] === '"') {
          i += 1;
          while (i < n && header[i] !== '"') {
            if (header[i] === "\\" && i + 1 < n) i += 1;
            value += header[i];
            i += 1;
          }
          i += 1;
        } else {
          const start = i;
          while (i < n && !/[;,\s]/.test(header[i] as string)) i += 1;
          value = header.slice(start, i);
        }
      }
      if (name && !link.params.has(name)) link.params.set(name, value);
    }
    links.push(link);
    skipWs();
    if (i < n && header[i] !== ",") skipToNextLink();
  }
  return links;
}

/**
 * ICE servers from WHIP Link headers (RFC 9725 section 4.6):
 * `<turn:turn.example.net?transport=udp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"`.
 * Links with another rel, or with a credential type other than password (OAuth), are skipped.
 */
export function iceServersFromLinks(header: string | null | undefined): RTCIceServerLike[] {
  const servers: RTCIceServerLike[] = [];
  for (const { target, params } of parseLinks(header)) {
    // Relation types compare case-insensitively (RFC 8288 section 2.1.1); rel may list several.
    const rels = (params.get("rel") ?? "").toLowerCase().split(/\s+/);
    if (!target || !rels.includes("ice-server")) continue;
    const type = params.get("credential-type");
    if (type !== undefined && type.toLowerCase() !== "password") continue;
    const server: RTCIceServerLike = { urls: [target] };
    const username = params.get("username");
    const credential = params.get("credential");
    if (username !== undefined) server.username = username;
    if (credential !== undefined) server.credential = credential;
    servers.push(server);
  }
  return servers;
}

/** Link headers (all of one response together) longer than this are not read: a real WHIP server's take a few hundred bytes. */
export const MAX_LINK_HEADER_BYTES = 16 * 1024;
/** ICE servers taken from one response's Link headers; RFC 9725 servers hand out one to a few. */
export const MAX_LINK_ICE_SERVERS = 16;

/** Why a response's Link headers are more than rtc-doctor takes, in words without any of their values; undefined when they are fine. */
export function linkLimitProblem(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const bytes = Buffer.byteLength(header);
  if (bytes > MAX_LINK_HEADER_BYTES) return `its Link headers take ${bytes} bytes, more than the ${MAX_LINK_HEADER_BYTES} rtc-doctor reads`;
  const servers = iceServersFromLinks(header).length;
  if (servers > MAX_LINK_ICE_SERVERS) return `its Link headers list ${servers} ICE servers, more than the ${MAX_LINK_ICE_SERVERS} rtc-doctor takes`;
  return undefined;
}

/** Links a report shows of one response; the rest are counted. */
const DESCRIBED_LINKS = MAX_LINK_ICE_SERVERS;

/** Link headers as a report may show them: targets without their query, and the relations only. */
export function describeLinks(header: string): string {
  const bytes = Buffer.byteLength(header);
  const links = parseLinks(bytes > MAX_LINK_HEADER_BYTES ? header.slice(0, MAX_LINK_HEADER_BYTES) : header);
  const shown = links.slice(0, DESCRIBED_LINKS).map((l) => {
    const rel = l.params.get("rel");
    return `<${shorten(l.target.split("?")[0] ?? "")}>${rel !== undefined ? `; rel="${shorten(rel)}"` : ""}`;
  });
  const notes = [
    ...(links.length > DESCRIBED_LINKS ? [`${links.length - DESCRIBED_LINKS} more links`] : []),
    ...(bytes > MAX_LINK_HEADER_BYTES ? [`${bytes} bytes in all`] : []),
  ];
  return notes.length > 0 ? `${shown.join(", ")} (${notes.join(", ")})` : shown.join(", ");
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
