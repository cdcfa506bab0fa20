/** blackbox_exporter's default: the probe answers this much before Prometheus gives up on the scrape. */
export const DEFAULT_TIMEOUT_OFFSET_MS = 500;
/** No probe is given less than this, whatever the header says: below it nothing gets an answer. */
export const MIN_PROBE_BUDGET_MS = 100;

/**
 * How long a probe may take: the scrape's timeout (`X-Prometheus-Scrape-Timeout-Seconds`) less the
 * offset, at most the module's timeout. Undefined for a header that is not a positive number.
 */
export function probeBudgetMs(header: string | string[] | undefined, moduleTimeoutMs: number, offsetMs: number): number | undefined {
  if (header === undefined) return moduleTimeoutMs;
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  const scrapeMs = Number(text) * 1000;
  if (!(scrapeMs > 0)) return undefined;
  return Math.max(MIN_PROBE_BUDGET_MS, Math.min(moduleTimeoutMs, scrapeMs - offsetMs));
}
