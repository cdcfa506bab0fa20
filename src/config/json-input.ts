import { createRequire } from "node:module";
import { MAX_JSON_DEPTH } from "./limits.js";

type JsonPath = (string | number)[];
interface JsoncParser {
  visit(text: string, visitor: { onError(error: number, offset: number, length: number, line: number, column: number): void }, options: object): void;
  getLocation(text: string, offset: number): { path: JsonPath };
  printParseErrorCode(code: number): string;
}

/** A value shown in an error is cut here: inputs may be megabytes, and may hold a secret further on. */
export const SHOWN_VALUE_MAX = 80;

/** A value for an error message: at most SHOWN_VALUE_MAX characters, with an ellipsis when cut. */
export function shownValue(value: string): string {
  return value.length <= SHOWN_VALUE_MAX ? value : `${value.slice(0, SHOWN_VALUE_MAX - 1)}…`;
}

/** `[0].credential`, `iceServers[2].urls[1]`: where in the document, never what is there. */
export function keyPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `${i === 0 ? "" : "."}${p}` : `[${JSON.stringify(shownValue(p))}]`)).join("");
}

/**
 * Why a text is not JSON, by position and key path only. V8's own message quotes the input around
 * the error ("Unexpected token 's', ...\"credential\":s3cretvalu\"..."): a password one quote short
 * would reach the terminal and the CI log. The scanner (jsonc-parser) is loaded only on this path.
 */
export function describeJsonError(text: string): string {
  const parser = createRequire(import.meta.url)("jsonc-parser") as JsoncParser;
  let first: { code: number; offset: number; line: number; column: number } | undefined;
  parser.visit(
    text,
    {
      onError(code, offset, _length, line, column) {
        first ??= { code, offset, line, column };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (!first) return "not valid JSON";
  const words = parser.printParseErrorCode(first.code).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  const path = keyPath(parser.getLocation(text, first.offset).path);
  return `not valid JSON: ${words} at line ${first.line + 1}, column ${first.column + 1}${path ? ` (in ${path})` : ""}`;
}

/**
 * How deeply a parsed value nests, counted without recursion (the input decides the depth), and
 * given up on as soon as it passes `limit`.
 */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * JSON.parse whose failure says where, never what: `fail` turns the description into the caller's
 * error. Input nested deeper than MAX_JSON_DEPTH is refused too: code that walks it (JSON.stringify
 * among others) recurses, and would end in a stack overflow instead of a clear error.
 */
export function parseJsonInput(text: string, fail: (description: string) => Error): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw fail(describeJsonError(text));
  }
  if (nestingDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw fail(`nested more than ${MAX_JSON_DEPTH} levels deep`);
  return value;
}
