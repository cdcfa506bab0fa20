/**
 * Speed figures as ratios measured side by side in one run, so a busy or slow machine moves both
 * sides alike. Tests never assert on time; `npm run bench` prints these lines for a person to read.
 */

export type Measure = () => number | Promise<number>;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface PairedFigure {
  /** Median of the per-round ratios subject / baseline. */
  ratio: number;
  /** Medians, for the line's figures. */
  measured: number;
  baseline: number;
}

/**
 * Measures each subject right next to its own run of the baseline, `rounds` times, and takes the
 * median of the per-round ratios: load on a shared machine comes and goes in bursts, and a burst
 * then hits both sides of a ratio instead of one. The order alternates from round to round so that
 * neither side always runs first (warm caches, CPU boost), and one discarded round first takes the
 * cold file cache out of the figures.
 */
export async function sideBySide<K extends string>(baseline: Measure, subjects: Record<K, Measure>, rounds: number): Promise<Record<K, PairedFigure>> {
  const keys = Object.keys(subjects) as K[];
  const runs = Object.fromEntries(keys.map((k) => [k, { measured: [] as number[], baseline: [] as number[] }])) as Record<K, { measured: number[]; baseline: number[] }>;
  for (let round = -1; round < rounds; round++) {
    for (const key of round % 2 === 0 ? keys : [...keys].reverse()) {
      const first = round % 2 === 0 ? baseline : subjects[key];
      const second = round % 2 === 0 ? subjects[key] : baseline;
      const a = await first();
      const b = await second();
      if (round < 0) continue;
      runs[key].baseline.push(round % 2 === 0 ? a : b);
      runs[key].measured.push(round % 2 === 0 ? b : a);
    }
  }
  return Object.fromEntries(
    keys.map((k) => {
      const { measured, baseline: base } = runs[k];
      return [k, { ratio: median(measured.map((m, i) => m / base[i]!)), measured: median(measured), baseline: median(base) }];
    }),
  ) as Record<K, PairedFigure>;
}

export interface Ratio {
  /** What is divided by what, e.g. "--version CPU / node -e 0 CPU". */
  label: string;
  measured: number;
  baseline: number;
  /** When measured in pairs, the median of the per-pair ratios (sideBySide); else measured / baseline. */
  ratio?: number;
  /** The ratio must be at most this; a line without one is a figure for context, not a goal. */
  goal?: number;
  /** Of measured and baseline, shown after the verdict, e.g. "ms". */
  unit: string;
}

/** `ratio  <label>  1.21x  (goal <= 1.5x)  ok  [71 / 58 ms]`; MISSED when above the goal. */
export function ratioLine(r: Ratio): string {
  const ratio = r.ratio ?? r.measured / r.baseline;
  const verdict = r.goal === undefined ? "" : ratio <= r.goal ? "ok" : "MISSED";
  const figures = `[${r.measured.toFixed(0)} / ${r.baseline.toFixed(0)} ${r.unit}]`;
  return `ratio  ${r.label.padEnd(44)}  ${ratio.toFixed(2).padStart(6)}x  ${(r.goal === undefined ? "(no goal)" : `(goal <= ${r.goal}x)`).padEnd(16)}  ${verdict.padEnd(6)}  ${figures}`;
}

export function printRatio(r: Ratio): void {
  process.stdout.write(`${ratioLine(r)}\n`);
}
