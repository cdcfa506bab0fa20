import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real coturn servers and network namespaces; each wait inside is bounded
    // by the code under test, these are only the outer safety nets.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only make real-network tests contend with each other.
    maxWorkers: 2,
  },
});
