/**
 * Speed figures as ratios measured side by side in one run, so a busy or slow machine moves both
 * sides alike. Tests never assert on time; `npm run bench` prints these lines for a person to read.
 */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Measures every subject once per round, `rounds` times, and returns each one's median. The order
 * alternates from round to round so that neither side always runs first (warm caches, CPU boost),
 * and one discarded round first takes the cold file cache out of the figures.
 */
export async function sideBySide<K extends string>(subjects: Record<K, () => number | Promise<number>>, rounds: number): Promise<Record<K, number>> {
  const keys = Object.keys(subjects) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = -1; round < rounds; round++) {
    const order = round % 2 === 0 ? keys : [...keys].reverse();
    for (const key of order) {
      const value = await subjects[key]();
      if (round >= 0) samples[key].push(value);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(samples[k])])) as Record<K, number>;
}

export interface Ratio {
  /** What is divided by what, e.g. "--version CPU / node -e 0 CPU". */
  label: string;
  measured: number;
  baseline: number;
  /** The ratio must be at most this. */
  goal: number;
  /** Of measured and baseline, shown after the verdict, e.g. "ms". */
  unit: string;
}

/** `ratio  <label>  1.21x  (goal <= 1.5x)  ok  [71 / 58 ms]`; MISSED when above the goal. */
export function ratioLine(r: Ratio): string {
  const ratio = r.measured / r.baseline;
  const verdict = ratio <= r.goal ? "ok" : "MISSED";
  const figures = `[${r.measured.toFixed(0)} / ${r.baseline.toFixed(0)} ${r.unit}]`;
  return `ratio  ${r.label.padEnd(44)}  ${ratio.toFixed(2).padStart(6)}x  ${`(goal <= ${r.goal}x)`.padEnd(16)}  ${verdict.padEnd(6)}  ${figures}`;
}

export function printRatio(r: Ratio): void {
  process.stdout.write(`${ratioLine(r)}\n`);
}
