import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError } from "../config/errors.js";
import { shownValue } from "../config/json-input.js";
import { scrubSecrets } from "../secrets/scrub.js";
import { TOOL_VERSION } from "../version.js";
import { probeBudgetMs } from "./deadline.js";
import { ExporterMetrics } from "./exporter-metrics.js";
import type { ExporterModule } from "./module.js";
import { runProbe, type ProbeOutcome } from "./probe.js";
import { probeRegistry } from "./probe-metrics.js";
import { Slots } from "./slots.js";
import { probeTarget } from "./target.js";

export interface ExporterOptions {
  host: string;
  port: number;
  modules: ReadonlyMap<string, ExporterModule>;
  /** At most this many probes at once. */
  concurrency: number;
  /** Subtracted from the scrape timeout header, so the answer is there before Prometheus gives up. */
  timeoutOffsetMs: number;
  /** One line per probe (target, module, result, reason, duration): never a credential. */
  log?: (line: string) => void;
}

export interface RunningExporter {
  port: number;
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "Content-Type": contentType, "Cache-Control": "no-store" });
  res.end(body);
}

const text = (res: ServerResponse, status: number, body: string) => send(res, status, "text/plain; charset=utf-8", `${body}\n`);

/** blackbox_exporter's answer when everything waited for a slot: probe_success 0, reason exporter_busy. */
function busyOutcome(durationMs: number, module: ExporterModule, isTurn: boolean): ProbeOutcome {
  return { success: false, reason: "exporter_busy", durationMs, phases: {}, connectWanted: module.connect ?? isTurn };
}

/**
 * `/probe?target=<ICE URL>&module=<name>` in the manner of blackbox_exporter (`&debug=true` adds
 * the probe's facts, for a person), `/metrics` for the exporter's own metrics, `/-/healthy` for
 * liveness. Only GET (and HEAD); a bad target, an unknown module or a bad timeout header is a 400,
 * as blackbox_exporter answers them.
 */
export async function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const names = [...options.modules.keys()];
  const slots = new Slots(options.concurrency);
  const metrics = new ExporterMetrics(names, () => slots.waiting);
  const log = options.log ?? (() => undefined);

  const probe = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const target = query.get("target");
    const moduleName = query.get("module") ?? (names.length === 1 ? names[0]! : undefined);
    const bad = (why: string) => {
      metrics.badRequest();
      text(res, 400, why);
    };
    if (!target) return bad("target parameter is missing");
    if (moduleName === undefined) return bad(`module parameter is missing (modules: ${names.join(", ")})`);
    const module = options.modules.get(moduleName);
    if (!module) return bad(`unknown module '${shownValue(moduleName)}' (modules: ${names.join(", ")})`);
    const budgetMs = probeBudgetMs(req.headers["x-prometheus-scrape-timeout-seconds"], module.timeoutMs, options.timeoutOffsetMs);
    if (budgetMs === undefined) return bad("X-Prometheus-Scrape-Timeout-Seconds: expected a positive number of seconds");
    const now = new Date();
    let resolved;
    try {
      resolved = probeTarget(target, module, now);
    } catch (error) {
      if (error instanceof ConfigError) return bad(`target: ${error.message}`);
      throw error;
    }
    const started = Date.now();
    const gone = new AbortController();
    // Only a scraper that left before its answer ends the probe (an abort costs a DOMException).
    res.once("close", () => {
      if (!res.writableFinished) gone.abort();
    });
    const release = await slots.acquire(budgetMs, gone.signal);
    if (gone.signal.aborted) {
      // The scraper left while this waited: nobody to answer, and the slot is someone else's.
      release?.();
      return;
    }
    let outcome: ProbeOutcome;
    if (!release) {
      outcome = busyOutcome(Date.now() - started, module, resolved.target.url.isTurn);
    } else {
      metrics.inFlight.inc();
      try {
        outcome = await runProbe({ target: resolved.target, module, budgetMs: budgetMs - (Date.now() - started), signal: gone.signal, now });
      } finally {
        metrics.inFlight.dec();
        release();
      }
    }
    metrics.probed(module.name, outcome);
    log(`probe target=${resolved.target.url.raw} module=${module.name} success=${outcome.success ? 1 : 0}${outcome.reason ? ` reason=${outcome.reason}` : ""} duration=${(outcome.durationMs / 1000).toFixed(3)}s`);
    if (res.destroyed) return;
    const registry = probeRegistry(outcome);
    const exposition = await registry.metrics();
    if (query.get("debug") !== "true") return send(res, 200, registry.contentType, exposition);
    // blackbox_exporter's debug=true: the metrics and what the probe found, for a person asking by
    // hand why a target fails. Facts hold no credentials; the scrubber is the last line anyway.
    const facts = { server: outcome.server, connectivity: outcome.connectivity, nat: outcome.nat };
    send(res, 200, "text/plain; charset=utf-8", scrubSecrets(`${exposition}\n# What the probe found:\n${JSON.stringify(facts, null, 2)}\n`, resolved.secrets));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://exporter");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return text(res, 405, "only GET");
    }
    switch (url.pathname) {
      case "/probe":
        return probe(req, res, url.searchParams);
      case "/metrics":
        return send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
      case "/-/healthy":
      case "/-/ready":
        return text(res, 200, "OK");
      case "/":
        return text(
          res,
          200,
          `rtc-doctor exporter ${TOOL_VERSION}\n\n/probe?target=<ICE URL>&module=<name>   probe one STUN/TURN URL\n/metrics                               the exporter's own metrics\n\nmodules: ${names.join(", ")}`,
        );
      default:
        return text(res, 404, "not found");
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) text(res, 500, "internal error");
      else res.destroy();
    });
  });
  // Scrapes come every few seconds on one keep-alive connection; an idle one is not held for long.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
