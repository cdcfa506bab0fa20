import { defineConfig } from "vitest/config";

// The ratio files of `npm run bench` (after vitest's own benchmarks): each prints its lines straight
// to stdout and asserts nothing on time. One file at a time, so no file's load skews another's figures.
export default defineConfig({
  test: {
    include: ["bench/**/*.ratio.ts"],
    disableConsoleIntercept: true,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
