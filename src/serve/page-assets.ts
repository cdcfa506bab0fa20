import { readFileSync } from "node:fs";
import { packageFileUrl } from "../package-path.js";

const TYPES = { "index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8" } as const;
const cache = new Map<string, Buffer>();

/** The test page's files, shipped in the package's page/ folder as plain HTML and JavaScript (no build step). */
export function pageAsset(name: keyof typeof TYPES): { type: string; body: Buffer } {
  let body = cache.get(name);
  if (body === undefined) {
    body = readFileSync(packageFileUrl(`page/${name}`));
    cache.set(name, body);
  }
  return { type: TYPES[name], body };
}
