/**
 * A file shipped in the package (schema/, page/), by its path from the package root. src/, dist/
 * and bundle/ all sit one level below the root, so this module resolves the same from each.
 */
export function packageFileUrl(path: string): URL {
  return new URL(`../${path}`, import.meta.url);
}
