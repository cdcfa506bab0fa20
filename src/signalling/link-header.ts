import type { RTCIceServerLike } from "../config/types.js";

/**
 * ICE servers from WHIP Link headers (RFC 9725 section 4.6):
 * `<turn:turn.example.net?transport=udp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"`.
 * Links with another rel, or with an OAuth credential type, are skipped.
 */
export function iceServersFromLinks(header: string | null): RTCIceServerLike[] {
  if (!header) return [];
  const servers: RTCIceServerLike[] = [];
  for (const link of splitLinks(header)) {
    const target = /^\s*<([^>]*)>/.exec(link)?.[1];
    if (!target) continue;
    const params = new Map<string, string>();
    for (const m of link.matchAll(/;\s*([a-zA-Z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s]+))/g)) {
      params.set((m[1] ?? "").toLowerCase(), (m[2] ?? m[3] ?? "").replace(/\\(.)/g, "$1"));
    }
    if (!(params.get("rel") ?? "").split(/\s+/).includes("ice-server")) continue;
    const type = params.get("credential-type");
    if (type !== undefined && type !== "password") continue;
    const server: RTCIceServerLike = { urls: target };
    const username = params.get("username");
    const credential = params.get("credential");
    if (username !== undefined) server.username = username;
    if (credential !== undefined) server.credential = credential;
    servers.push(server);
  }
  return servers;
}

/** Splits on the commas between links, not those inside <...> or quotes. */
function splitLinks(header: string): string[] {
  const parts: string[] = [];
  let current = "";
  let inAngle = false;
  let inQuote = false;
  for (const ch of header) {
    if (ch === "<" && !inQuote) inAngle = true;
    else if (ch === ">" && !inQuote) inAngle = false;
    else if (ch === '"' && !inAngle) inQuote = !inQuote;
    if (ch === "," && !inAngle && !inQuote) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  if (current.trim()) parts.push(current);
  return parts;
}
