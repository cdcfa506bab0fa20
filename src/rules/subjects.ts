/**
 * Subject pointers cover by JSON-pointer prefix: "/servers/2" covers "/servers/2/error", "/nat"
 * covers "/nat/tests/0", and "" (the whole document) covers everything, which makes a supersede
 * rule-wide.
 */
export function covers(outer: string, inner: string): boolean {
  return outer === "" || inner === outer || inner.startsWith(`${outer}/`);
}

/** Every inner subject is covered by one of the outer ones; no inner subject at all is never covered. */
export function coversAll(outer: readonly string[], inner: readonly string[]): boolean {
  return inner.length > 0 && inner.every((i) => outer.some((o) => covers(o, i)));
}
