import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CLI_FLAGS, cliOptionName } from "../../src/cli/option-flags.js";
import { apiOptionName, optionTokens, resolveOptionWords } from "../../src/config/option-words.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const src = join(root, "src");

/** A CLI flag as text shows it: "--ca", "--no-nat", "--turn-ttl" at the start of a word. */
const FLAG = /(?:^|[^\w-])(--[a-z][a-z0-9-]*)/g;

/**
 * Text under src/ that names something with "--" that is not an option of this library's API, each
 * with why it may. Keyed by file and flag.
 */
const ALLOWED: Record<string, string> = {
  // A Docker flag in the fix for a far side on Docker's bridge network: advice about another program.
  "src/rules/far-side-private-candidates.ts --network": "docker run --network host",
  // `rtc-doctor serve` is its own command, not an option of check(): the page it serves and the
  // command line it prints tell a person what to type on the client host.
  "src/serve/server.ts --token": "the rtc-doctor check command line printed for the client",
  "src/serve/server.ts --signal": "the rtc-doctor check command line printed for the client",
  // An iptables option in the fix for a NAT this user runs: advice about another program.
  "src/rules/symmetric-nat-without-turn.ts --random-fully": "MASQUERADE without --random-fully",
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The text of every string literal and template part, so comments and code are not read. */
function literals(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const out: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      out.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every flag-looking text in the library (src/ outside src/cli), as "file:line flag". */
function flagsInLibrary(): { key: string; where: string }[] {
  return files(src)
    .filter((f) => !relative(src, f).startsWith("cli/"))
    .flatMap((f) => {
      const rel = relative(root, f);
      return literals(f).flatMap(({ text, line }) => [...text.matchAll(FLAG)].map((m) => ({ key: `${rel} ${m[1]}`, where: `${rel}:${line} ${m[1]} in "${text.trim().slice(0, 80)}"` })));
    });
}

describe("library text names options, not CLI flags", () => {
  it("finds flag-looking text in a literal (so the scan can fail)", () => {
    const probe = join(root, "test/unit/no-flags-in-library.test.ts");
    expect(literals(probe).some(({ text }) => text.includes("--ca") && [...text.matchAll(FLAG)].length > 0)).toBe(true);
  });

  it("no string literal under src/ outside src/cli names a CLI flag", () => {
    const found = flagsInLibrary().filter((f) => !(f.key in ALLOWED));
    expect(found.map((f) => f.where)).toEqual([]);
  });

  it("every allow-list entry is still needed", () => {
    const keys = new Set(flagsInLibrary().map((f) => f.key));
    expect(Object.keys(ALLOWED).filter((k) => !keys.has(k))).toEqual([]);
  });
});

describe("option tokens", () => {
  it("resolve to the API's option name by default, and to the CLI's flag with its namer", () => {
    const text = "for a private CA give it with {option:tlsCa}; NAT discovery was turned off with {option:nat}";
    expect(resolveOptionWords(text)).toBe("for a private CA give it with `tlsCa`; NAT discovery was turned off with `nat`");
    expect(resolveOptionWords(text, cliOptionName)).toBe("for a private CA give it with --ca FILE; NAT discovery was turned off with --no-nat");
    expect(resolveOptionWords("{option:remote.protocol}", cliOptionName)).toBe("--protocol whip|pipecat");
    expect(apiOptionName("turnTtlSec")).toBe("`turnTtlSec`");
  });

  it("every option the library's text names has a CLI flag, so the CLI never falls back to API names", () => {
    const named = new Set(files(src).flatMap((f) => literals(f).flatMap(({ text }) => optionTokens(text))));
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((name) => !(name in CLI_FLAGS))).toEqual([]);
  });
});
