import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: tsc and npm runs take tens of seconds, several times that on a loaded machine.
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // Tests that start libvirtd or compile C run in separate files; 2 cores here.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
