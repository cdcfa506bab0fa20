import { readFileSync } from "node:fs";

// Read at run time so the version has one source, package.json, in both src/ (tests) and dist/.
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { name: string; version: string };

export const TOOL_NAME = pkg.name;
export const TOOL_VERSION = pkg.version;
