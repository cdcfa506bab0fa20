#!/usr/bin/env node
// The CLI lives in the bundled build output (scripts/bundle-cli.mjs); this shim keeps the bin path stable.
import { main } from "../bundle/main.js";

const flush = (stream) => new Promise((resolve) => stream.write("", () => resolve()));

main(process.argv).then(
  async (code) => {
    // werift 0.24 leaves TURN refresh timers and sockets behind after close (../shared/notes/werift.md),
    // so the process would not end by itself: exit explicitly once the report is flushed.
    await Promise.all([flush(process.stdout), flush(process.stderr)]);
    process.exit(code);
  },
  async (error) => {
    // main() turns every expected failure into an exit code; reaching here is a bug, not bad input.
    process.stderr.write(`rtc-doctor: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    await flush(process.stderr);
    process.exit(3);
  },
);
