import { Chalk, type ChalkInstance } from "chalk";

/** Colour only where a person reads it: chalk's own detection honours NO_COLOR, FORCE_COLOR and TTYs. */
export function styleFor(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

export interface Marks {
  ok: string;
  fail: string;
  warn: string;
  info: string;
  skip: string;
}

export function marks(c: ChalkInstance): Marks {
  return { ok: c.green("✔"), fail: c.red("✖"), warn: c.yellow("▲"), info: c.cyan("ℹ"), skip: c.gray("–") };
}

export function ms(value: number | undefined): string {
  if (value === undefined) return "";
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export function addr(a: { address: string; port: number } | undefined): string {
  if (!a) return "";
  return a.address.includes(":") ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** Wraps prose to the terminal width with a hanging indent, so long explanations stay readable. */
export function wrap(text: string, indent: string, width = 100): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.map((l) => indent + l).join("\n");
}
