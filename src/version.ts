import { readFileSync } from "node:fs";

// Read at run time so the version has one source, package.json, from src/ (tests), dist/ and bundle/
// alike: all three sit one level below the package root.
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { name: string; version: string };

export const TOOL_NAME = pkg.name;
export const TOOL_VERSION = pkg.version;
