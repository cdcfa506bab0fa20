import { createRequire } from "node:module";

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

/** JSON.parse whose failure says where, never what: `fail` turns the description into the caller's error. */
export function parseJsonInput(text: string, fail: (description: string) => Error): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail(describeJsonError(text));
  }
}
