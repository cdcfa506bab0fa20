import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Which page origins may call serve from a browser. "*" lets any origin in; an empty list none
 * (a page served by serve itself is same-origin and needs no CORS at all).
 */
export type AllowedOrigins = readonly string[];

// What a WHIP or Pipecat client page sends and must read back (RFC 9725 section 4.1, Location for
// DELETE/PATCH, Link for ICE servers, ETag for If-Match).
const ALLOW_METHODS = "GET, POST, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS = "Authorization, Content-Type, If-Match";
const EXPOSE_HEADERS = "Location, Link, ETag, Accept-Post";

/** Normalises an --allow-origin value: an origin (scheme://host[:port]) or "*"; throws on anything else. */
export function parseAllowedOrigin(value: string): string {
  const trimmed = value.trim();
  if (trimmed === "*") return "*";
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`not an origin (scheme://host[:port]): ${JSON.stringify(trimmed.slice(0, 80))}`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/" || url.search || url.hash || url.username) {
    throw new Error(`not an origin (scheme://host[:port], no path): ${JSON.stringify(trimmed.slice(0, 80))}`);
  }
  return url.origin;
}

function allowed(origin: string | undefined, origins: AllowedOrigins): string | undefined {
  if (!origin) return undefined;
  if (origins.includes("*")) return "*";
  return origins.includes(origin) ? origin : undefined;
}

/**
 * Adds the CORS response headers an allowed origin needs and answers a preflight. Returns true when
 * the request was a preflight and has been answered: it carries no credentials (browsers never send
 * Authorization on one), so it is answered before any token check and with no Link headers.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: AllowedOrigins): boolean {
  const origin = allowed(req.headers.origin, origins);
  if (origin) {
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  }
  // The answer depends on Origin: caches must not hand one origin's answer to another.
  if (origins.length > 0 && !origins.includes("*")) res.setHeader("Vary", "Origin");
  const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
  if (!preflight) return false;
  if (origin) {
    res.setHeader("Access-Control-Allow-Methods", ALLOW_METHODS);
    res.setHeader("Access-Control-Allow-Headers", ALLOW_HEADERS);
    res.setHeader("Access-Control-Max-Age", "600");
  }
  // A disallowed origin gets the same 204 without the Allow headers: the browser then refuses the
  // call, which is the answer; nothing else is revealed.
  res.writeHead(204).end();
  return true;
}
