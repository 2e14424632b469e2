import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const runtimeSource = fileURLToPath(new URL("src/runtime/", import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the runtime from its sources, one copy for everything a test file loads
    // (generated code importing the package, the generator's wire code, tests importing
    // src/runtime directly). The built package is tested as users install it by
    // test/infra/runtime-package.test.ts and test/generate/consumer.test.ts.
    alias: [
      {
        find: /^virt-rpcgen-runtime\/(xdr|rpc|client|server|oncrpc|trace|symbols)$/,
        replacement: `${runtimeSource}$1/index.ts`,
      },
      {
        find: /^virt-rpcgen-runtime$/,
        replacement: `${runtimeSource}index.ts`,
      },
      {
        find: /^virt-rpcgen\/runtime$/,
        replacement: `${runtimeSource}index.ts`,
      },
    ],
  },
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
