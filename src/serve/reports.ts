import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { factsFromObservation } from "../browser/facts-from-observation.js";
import { checkObservation } from "../browser/observation.js";
import { diagnose } from "../diagnose/index.js";
import { buildReport } from "../report/build.js";
import { AddressRedactor } from "../report/redact-addresses.js";
import type { Report } from "../report/types.js";
import { scrubSecrets } from "../secrets/scrub.js";

export interface ReportStoreOptions {
  /** Folder the reports are written to as <id>.json; without it they are kept in memory only. */
  dir?: string;
  /** Replace IP addresses in stored reports with placeholders that keep their class. */
  redact?: boolean;
  /** Credentials of serve's own configuration: never stored, whatever a page sends. */
  secrets: readonly string[];
  /** Reports kept in memory for GET /reports/ID (the oldest go first). */
  keep?: number;
}

/** What the page shows its visitor once the report is stored. */
export interface StoredReportAnswer {
  id: string;
  report: Report;
}

// Short enough to read out on a call, long enough not to be guessed (about 40 bits), without 0/o, 1/l/i.
const ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
function shortId(): string {
  return [...randomBytes(8)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
}

export class ReportInputError extends Error {}

/** Reports from visitors' browsers: checked against the observation schema, diagnosed, stored. */
export class ReportStore {
  private readonly memory = new Map<string, string>();
  private dirReady?: Promise<unknown>;

  constructor(private readonly options: ReportStoreOptions) {}

  async add(body: unknown, via: string, now = new Date()): Promise<StoredReportAnswer> {
    const checked = checkObservation(body);
    if ("problem" in checked) throw new ReportInputError(`not a test-page report: ${checked.problem}`);
    const facts = factsFromObservation(checked.observation, via);
    const started = new Date(checked.observation.startedAt);
    const report = buildReport(facts, diagnose(facts), { startedAt: Number.isNaN(started.getTime()) ? now : started, durationMs: checked.observation.durationMs });
    let text = scrubSecrets(JSON.stringify(report, null, 2), this.options.secrets);
    if (this.options.redact) text = new AddressRedactor().redact(text);
    const id = shortId();
    this.remember(id, text);
    if (this.options.dir !== undefined) {
      this.dirReady ??= mkdir(this.options.dir, { recursive: true });
      await this.dirReady;
      await writeFile(join(this.options.dir, `${id}.json`), `${text}\n`, { mode: 0o600 });
    }
    return { id, report: JSON.parse(text) as Report };
  }

  /** The stored JSON text, or undefined for an id never stored (or long forgotten). */
  async get(id: string): Promise<string | undefined> {
    if (!/^[2-9a-z]{8}$/.test(id)) return undefined;
    const known = this.memory.get(id);
    if (known !== undefined || this.options.dir === undefined) return known;
    return readFile(join(this.options.dir, `${id}.json`), "utf8").catch(() => undefined);
  }

  private remember(id: string, text: string): void {
    this.memory.set(id, text);
    const keep = this.options.keep ?? 200;
    for (const oldest of this.memory.keys()) {
      if (this.memory.size <= keep) break;
      this.memory.delete(oldest);
    }
  }
}

/** One line per report for the operator: who, the verdict, the top finding, what was gathered. */
export function reportSummaryLine(id: string, report: Report): string {
  const top = report.findings[0];
  const types = [...new Set(report.candidates.map((c) => c.type))].sort().join("/") || "none";
  const connections = report.connectivity ?? [];
  const describe = (c: (typeof connections)[number]) => {
    const relayed = c.selectedPair?.local.type === "relay" || c.selectedPair?.remote.type === "relay";
    return `${c.iceTransportPolicy === "relay" ? "relay only" : "any path"} ${c.ok ? (relayed ? "connected via relay" : "connected direct") : `failed${c.stalledIn ? ` in ${c.stalledIn}` : ""}`}`;
  };
  const ua = report.vantage?.userAgent ?? "";
  const browser = /(?:Edg|Firefox|Chrome|Safari)\/[\d.]+/.exec(ua)?.[0] ?? (ua.slice(0, 40) || "an unknown browser");
  const parts = [
    ...(connections.length ? connections.map(describe) : ["no connection attempted"]),
    `candidates ${types}`,
    top ? `top finding ${top.severity} ${top.id}` : "no findings",
  ];
  return `report ${id} from ${browser}: ${parts.join(", ")}`;
}
