import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { TOOL_VERSION } from "../version.js";
import type { ProbeOutcome } from "./probe.js";

/** The exporter's own metrics at /metrics: its process, and the probes it ran by module and result. */
export class ExporterMetrics {
  readonly registry = new Registry();
  private readonly probes = new Counter({ name: "rtcdoctor_exporter_probes_total", help: "Probes run, by module and result", labelNames: ["module", "result"], registers: [this.registry] });
  private readonly failures = new Counter({ name: "rtcdoctor_exporter_probe_failures_total", help: "Failed probes, by module and reason", labelNames: ["module", "reason"], registers: [this.registry] });
  private readonly duration = new Histogram({
    name: "rtcdoctor_exporter_probe_duration_seconds",
    help: "How long probes took, by module",
    labelNames: ["module"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: "rtcdoctor_exporter_probes_in_flight", help: "Probes running now", registers: [this.registry] });
  private readonly badRequests = new Counter({ name: "rtcdoctor_exporter_bad_requests_total", help: "/probe requests refused with 400 (no or bad target, unknown module, bad timeout header)", registers: [this.registry] });

  /** `waiting` is read at each scrape of /metrics: how many probes wait for a slot right then. */
  constructor(modules: readonly string[], waiting: () => number = () => 0) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: "rtcdoctor_exporter_probes_queued",
      help: "Probes waiting for a free slot (see the concurrency option)",
      registers: [this.registry],
      collect() {
        this.set(waiting());
      },
    });
    new Gauge({ name: "rtcdoctor_exporter_build_info", help: "The exporter's version", labelNames: ["version"], registers: [this.registry] }).set({ version: TOOL_VERSION }, 1);
    // Every module's series exist from the start, so rate() sees the first probe of each.
    for (const module of modules) {
      this.probes.inc({ module, result: "success" }, 0);
      this.probes.inc({ module, result: "failure" }, 0);
      this.duration.zero({ module });
    }
  }

  probed(module: string, outcome: ProbeOutcome): void {
    this.probes.inc({ module, result: outcome.success ? "success" : "failure" });
    if (outcome.reason) this.failures.inc({ module, reason: outcome.reason });
    this.duration.observe({ module }, outcome.durationMs / 1000);
  }

  badRequest(): void {
    this.badRequests.inc();
  }
}
