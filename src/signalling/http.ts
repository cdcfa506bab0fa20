import { performance } from "node:perf_hooks";
import type { HttpExchangeFact } from "../facts/connectivity.js";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { REDACTED, scrubSecrets } from "../secrets/scrub.js";
import { bodySummary } from "./body-text.js";
import { describeLinks } from "./link-header.js";

/** Response headers that explain a signalling exchange. Everything else (cookies above all) stays out. */
const KEPT_HEADERS = ["content-type", "location", "etag", "retry-after", "accept-patch", "allow", "server"];

/**
 * A URL fit for a report: no userinfo, no fragment, and query values blanked, since signalling URLs
 * often carry tokens there (?token=..., ?key=...). A parameter without "=" may be a bare token
 * (?abc123), so it is blanked whole.
 */
export function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = "";
    url.password = "";
    const query = url.search.slice(1);
    url.search = "";
    url.hash = "";
    if (!query) return url.toString();
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const part of query.split("&")) {
      if (!part) continue;
      const eq = part.indexOf("=");
      const shown = eq < 0 ? REDACTED : `${encodeURIComponent(decodeQueryPart(part.slice(0, eq)))}=${REDACTED}`;
      if (!seen.has(shown)) parts.push(shown);
      seen.add(shown);
    }
    return parts.length ? `${url.toString()}?${parts.join("&")}` : url.toString();
  } catch {
    return "[unparseable URL]";
  }
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

export interface HttpContext {
  /** Bearer token and extra headers: sent, never recorded. */
  token?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Every exchange is appended here, in order. */
  exchanges: HttpExchangeFact[];
  /** Extra trust anchor (PEM) for an https signalling URL with a private CA (the `tlsCa` option). */
  tlsCa?: string | Buffer;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: string;
  /** The URL the response came from, after redirects. */
  url: string;
  /** A 503 was retried once after this many milliseconds (its Retry-After). */
  retriedAfterMs?: number;
}

export class SignallingError extends Error {
  override readonly name = "SignallingError";
  constructor(
    message: string,
    readonly code: "timeout" | "connection-refused" | "connection-reset" | "network-unreachable" | "dns-failure" | "protocol-error" | "unauthorized" | "tls-certificate-invalid",
    readonly status?: number,
  ) {
    super(message);
  }
}

/** RFC 9725 section 4.5 lets a WHIP endpoint redirect with 307/308; more hops than this is a loop. */
export const MAX_REDIRECTS = 5;
/** A 503 is retried once when its Retry-After asks for at most this long (and no longer than the request bound). */
export const MAX_RETRY_AFTER_MS = 5000;
/** Signalling answers are SDP or small JSON; a body bigger than this is not one, and is not read to its end. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** All response headers together (Node's own default is 16 KiB); WHIP's Link headers are the largest real ones. */
export const MAX_RESPONSE_HEADER_BYTES = 32 * 1024;

/**
 * One HTTP request to the signalling server, recorded without secrets. Resolves with any status
 * (the caller decides what a status means); rejects with SignallingError when no response came.
 * 307/308 are followed with the same method and body (RFC 9725 section 4.5), each hop recorded;
 * 301/302/303 are not, since they would turn the POST into a GET. A 503 whose Retry-After is short
 * is retried once.
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
  let current = url;
  let redirects = 0;
  let retriedAfterMs: number | undefined;
  for (;;) {
    const response = await exchangeOnce(ctx, step, method, current, headers, init.body);
    const location = response.headers.get("location");
    if ((response.status === 307 || response.status === 308) && location !== null) {
      const next = redirectTarget(current, location, redirects, headers);
      redirects += 1;
      current = next;
      continue;
    }
    if (response.status === 503 && retriedAfterMs === undefined) {
      const wait = retryAfterMs(response.headers.get("retry-after"));
      if (wait !== undefined && wait <= Math.min(MAX_RETRY_AFTER_MS, ctx.timeoutMs)) {
        retriedAfterMs = wait;
        // The server named the wait; this is the protocol's own back-off, not a guess.
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
    }
    return { ...response, url: current, ...(retriedAfterMs !== undefined ? { retriedAfterMs } : {}) };
  }
}

function redirectTarget(from: string, location: string, done: number, headers: Record<string, string>): string {
  if (done >= MAX_REDIRECTS) {
    throw new SignallingError(`${safeUrl(from)} redirected more than ${MAX_REDIRECTS} times (a redirect loop?)`, "protocol-error");
  }
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new SignallingError(`${safeUrl(from)} redirected to an unparseable Location`, "protocol-error");
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new SignallingError(`${safeUrl(from)} redirected to a ${next.protocol} URL`, "protocol-error");
  }
  // The token and --header values go wherever the request goes; over plain http to another origin
  // anyone on the path could read them, so such a redirect is reported instead of followed.
  const carriesSecrets = headers["authorization"] !== undefined || Object.keys(headers).some((h) => h !== "content-type" && h !== "if-match");
  if (carriesSecrets && next.protocol === "http:" && next.origin !== new URL(from).origin) {
    throw new SignallingError(
      `${safeUrl(from)} redirected to ${safeUrl(next.toString())}, another origin over plain http; rtc-doctor does not send the token or headers there`,
      "protocol-error",
    );
  }
  return next.toString();
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3), in milliseconds. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function exchangeOnce(
  ctx: HttpContext,
  step: HttpExchangeFact["step"],
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Omit<HttpResult, "url">> {
  const exchange: HttpExchangeFact = { step, method, url: safeUrl(url), durationMs: 0, headers: {} };
  ctx.exchanges.push(exchange);
  const started = performance.now();
  try {
    const response = await send(url, method, headers, body, ctx);
    // A server may echo what it was sent (an error page quoting the Authorization header). Whatever
    // later shortens the body or a header for a message would cut the token in two, and the output's
    // scrubber would no longer recognise the half it left: the secrets go here, whole.
    const secrets = [ctx.token, ...Object.values(ctx.headers)];
    response.body = scrubSecrets(response.body, secrets);
    exchange.status = response.status;
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) exchange.headers[name] = name === "location" ? safeLocation(scrubSecrets(value, secrets), url) : shortened(scrubSecrets(value, secrets));
    }
    const links = response.headers.get("link");
    if (links !== null) exchange.headers["link"] = describeLinks(links);
    return response;
  } catch (error) {
    const failure = error instanceof SignallingError ? error : transportFailure(error, url, ctx.timeoutMs);
    exchange.error = failure.message;
    throw failure;
  } finally {
    exchange.durationMs = Math.round(performance.now() - started);
  }
}

class RequestTimeout extends Error {
  override readonly name = "TimeoutError";
}

/** The status line and headers came, the body did not finish within the bound (a stalled or trickling body). */
class BodyTimeout extends Error {
  override readonly name = "BodyTimeout";
  constructor(
    readonly status: number,
    readonly received: number,
  ) {
    super("body timeout");
  }
}

/**
 * node:http(s) rather than fetch: fetch can neither take an extra CA without a dispatcher
 * from a package Node does not expose, nor hand back a 307 with its Location in every version.
 */
function send(url: string, method: string, headers: Record<string, string>, body: string | undefined, ctx: HttpContext): Promise<Omit<HttpResult, "url">> {
  const target = new URL(url);
  const outgoing: Record<string, string> = { ...headers };
  if (body !== undefined) outgoing["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, result?: Omit<HttpResult, "url">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(error);
      req.destroy();
    };
    const options = {
      method,
      headers: outgoing,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      ...(target.protocol === "https:" && ctx.tlsCa ? { ca: ctx.tlsCa } : {}),
    };
    let response: { status: number; received: number } | undefined;
    const req = (target.protocol === "https:" ? httpsRequest : httpRequest)(target, options, (res) => {
      const status = res.statusCode ?? 0;
      response = { status, received: 0 };
      const announced = Number(res.headers["content-length"]);
      if (Number.isFinite(announced) && announced > MAX_RESPONSE_BYTES) {
        finish(new SignallingError(`${safeUrl(url)} answered ${status} with a ${announced}-byte body, more than the ${MAX_RESPONSE_BYTES} bytes a signalling answer may have`, "protocol-error", status));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        if (!response) return;
        response.received += chunk.length;
        if (response.received > MAX_RESPONSE_BYTES) {
          finish(new SignallingError(`${safeUrl(url)} answered ${status} with a body of more than ${MAX_RESPONSE_BYTES} bytes, more than a signalling answer may have`, "protocol-error", status));
        } else chunks.push(chunk);
      });
      res.on("end", () => {
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        finish(undefined, { status, headers: responseHeaders, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("aborted", () => finish(new SignallingError(`${safeUrl(url)} answered ${status}, then closed the connection before the body was complete (${response?.received ?? 0} bytes)`, "connection-reset", status)));
      res.on("error", (error) => finish(error));
    });
    const timer = setTimeout(() => finish(response ? new BodyTimeout(response.status, response.received) : new RequestTimeout()), ctx.timeoutMs);
    req.on("error", (error) => finish(error));
    req.end(body);
  });
}

/** Header values a report keeps are for reading, not for storing whatever a server sends. */
const MAX_KEPT_HEADER_CHARS = 200;

function shortened(value: string): string {
  return value.length > MAX_KEPT_HEADER_CHARS ? `${value.slice(0, MAX_KEPT_HEADER_CHARS - 1)}…` : value;
}

function safeLocation(value: string, base: string): string {
  try {
    return shortened(safeUrl(new URL(value, base).toString()));
  } catch {
    return "[unparseable]";
  }
}

const TLS_TRUST_ERRORS = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function transportFailure(error: unknown, url: string, timeoutMs: number): SignallingError {
  const where = safeUrl(url);
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") {
    return new SignallingError(`no response from ${where} within ${timeoutMs} ms`, "timeout");
  }
  if (error instanceof BodyTimeout) {
    return new SignallingError(
      `${where} answered ${error.status}, then its body did not complete within ${timeoutMs} ms (${error.received} ${error.received === 1 ? "byte" : "bytes"} received: a stalled or trickling body)`,
      "timeout",
      error.status,
    );
  }
  const code = err.code ?? err.cause?.code;
  if (code === "HPE_HEADER_OVERFLOW") {
    return new SignallingError(`${where} sent response headers of more than ${MAX_RESPONSE_HEADER_BYTES} bytes, more than rtc-doctor reads`, "protocol-error");
  }
  if (typeof code === "string" && code.startsWith("HPE_")) {
    return new SignallingError(`${where} did not answer with valid HTTP (${code})`, "protocol-error");
  }
  if (code === "ECONNREFUSED") return new SignallingError(`connection to ${where} refused (nothing listens there)`, "connection-refused");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new SignallingError(`the host of ${where} could not be resolved`, "dns-failure");
  const detail = err.cause?.message ?? (error instanceof Error ? error.message : String(error));
  if (code !== undefined && TLS_TRUST_ERRORS.has(code)) {
    return new SignallingError(`the TLS certificate of ${where} is not trusted (${code})`, "tls-certificate-invalid");
  }
  if (code === "ECONNRESET" || code === "EPIPE") return new SignallingError(`the connection to ${where} was reset: ${detail}`, "connection-reset");
  if (code === "ENETUNREACH" || code === "EHOSTUNREACH") return new SignallingError(`${where}: network unreachable (${code})`, "network-unreachable");
  return new SignallingError(`request to ${where} failed: ${detail}`, "protocol-error");
}

/** An error body as one short line of text, so that a server's reason reaches the report without a page of HTML. */
export function bodyHint(body: string, contentType?: string | null): string {
  const line = bodySummary(body, contentType ?? "");
  return line ? `: ${line}` : "";
}

/** What a refusal's status means beyond its number (redirect kinds, 503 back-off), then the body's first line. */
export function refusalHint(res: HttpResult): string {
  let hint = "";
  if (res.status === 301 || res.status === 302 || res.status === 303) {
    hint = " (a redirect rtc-doctor does not follow: it would turn the POST into a GET; WHIP allows 307/308, which keep the method and body)";
  } else if (res.status === 503) {
    const wait = retryAfterMs(res.headers.get("retry-after"));
    if (res.retriedAfterMs !== undefined) hint = ` (server busy: still 503 after one retry ${Math.round(res.retriedAfterMs / 1000)} s later, as its Retry-After asked)`;
    else if (wait !== undefined) hint = ` (server busy: Retry-After ${Math.round(wait / 1000)} s, longer than rtc-doctor waits (${MAX_RETRY_AFTER_MS / 1000} s))`;
    else hint = " (server busy or overloaded; it sent no Retry-After)";
  }
  return `${hint}${bodyHint(res.body, res.headers.get("content-type"))}`;
}
