import { performance } from "node:perf_hooks";
import type { HttpExchangeFact } from "../facts/connectivity.js";

/** Response headers that explain a signalling exchange. Everything else (cookies above all) stays out. */
const KEPT_HEADERS = ["content-type", "location", "etag", "retry-after", "accept-patch", "allow", "server"];

/**
 * A URL fit for a report: no userinfo, and query values blanked, since signalling URLs often carry
 * tokens there (?token=..., ?key=...).
 */
export function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = "";
    url.password = "";
    const keys = [...new Set(url.searchParams.keys())];
    url.search = "";
    url.hash = "";
    return keys.length ? `${url.toString()}?${keys.map((k) => `${k}=[redacted]`).join("&")}` : url.toString();
  } catch {
    return "[unparseable URL]";
  }
}

export interface HttpContext {
  /** Bearer token (--token) and extra headers (--header): sent, never recorded. */
  token?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Every exchange is appended here, in order. */
  exchanges: HttpExchangeFact[];
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: string;
  /** The URL the response came from, after redirects. */
  url: string;
}

export class SignallingError extends Error {
  override readonly name = "SignallingError";
  constructor(
    message: string,
    readonly code: "timeout" | "connection-refused" | "dns-failure" | "protocol-error" | "unauthorized",
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * One HTTP request to the signalling server, recorded without secrets. Resolves with any status
 * (the caller decides what a status means); rejects with SignallingError when no response came.
 */
export async function request(
  ctx: HttpContext,
  step: HttpExchangeFact["step"],
  method: string,
  url: string,
  init: { contentType?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...ctx.headers, ...init.headers };
  if (ctx.token) headers["authorization"] = `Bearer ${ctx.token}`;
  if (init.contentType) headers["content-type"] = init.contentType;
  const exchange: HttpExchangeFact = { step, method, url: safeUrl(url), durationMs: 0, headers: {} };
  ctx.exchanges.push(exchange);
  const started = performance.now();
  try {
    const response = await fetch(url, { method, headers, body: init.body, redirect: "follow", signal: AbortSignal.timeout(ctx.timeoutMs) });
    const body = await response.text();
    exchange.status = response.status;
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) exchange.headers[name] = name === "location" ? safeLocation(value, url) : value;
    }
    const links = response.headers.get("link");
    if (links !== null) exchange.headers["link"] = describeLinks(links);
    return { status: response.status, headers: response.headers, body, url: response.url || url };
  } catch (error) {
    const failure = transportFailure(error, url, ctx.timeoutMs);
    exchange.error = failure.message;
    throw failure;
  } finally {
    exchange.durationMs = Math.round(performance.now() - started);
  }
}

function safeLocation(value: string, base: string): string {
  try {
    return safeUrl(new URL(value, base).toString());
  } catch {
    return "[unparseable]";
  }
}

/** Link headers name ICE servers with their credentials: keep only the targets and relations. */
function describeLinks(value: string): string {
  return [...value.matchAll(/<([^>]*)>\s*;([^,]*)/g)]
    .map((m) => `<${(m[1] ?? "").split("?")[0]}>; ${/rel="?([^";]+)"?/.exec(m[2] ?? "")?.[0] ?? ""}`.trim())
    .join(", ");
}

function transportFailure(error: unknown, url: string, timeoutMs: number): SignallingError {
  const where = safeUrl(url);
  const err = error as { name?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") {
    return new SignallingError(`no response from ${where} within ${timeoutMs} ms`, "timeout");
  }
  const code = err.cause?.code;
  if (code === "ECONNREFUSED") return new SignallingError(`connection to ${where} refused (nothing listens there)`, "connection-refused");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new SignallingError(`the host of ${where} could not be resolved`, "dns-failure");
  const detail = err.cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new SignallingError(`request to ${where} failed: ${detail}`, "protocol-error");
}

/** The first line of an error body, so that a server's reason reaches the report without a page of HTML. */
export function bodyHint(body: string): string {
  const line = body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().slice(0, 160);
  return line ? `: ${line}` : "";
}
