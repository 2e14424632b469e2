// Lint for the project's own code: typescript-eslint's type-aware recommended rules on
// TypeScript, ESLint's recommended rules on the plain-JS scripts and benchmarks. Generated
// code is not linted here: it is checked by tsc --strict and prettier (test/generate/).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "packages/runtime/dist/**",
      "node_modules/**",
      "generated/**",
      "src/runtime/generated/**",
      "test/.generated/**",
      "test/fixtures/**",
      "bench/.build/**",
      "protocol/**",
    ],
  },
  {
    files: ["**/*.ts"],
    extends: [
      js.configs.recommended,
      ...tseslint.configs.recommendedTypeChecked,
    ],
    languageOptions: {
      parserOptions: {
        project: "./tsconfig.lint.json",
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // The runtime forwards the reasons it is given (an AbortSignal's reason, a caught error)
      // unchanged, as Node's own APIs do; rejecting with a literal non-Error is still an error.
      "@typescript-eslint/prefer-promise-reject-errors": [
        "error",
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
    },
  },
  {
    // Compiled by test/client/types.test.ts to prove that misuse does not type-check: its
    // `@ts-expect-error` lines are unsafe calls on purpose.
    files: ["test/client/typecheck/**"],
    rules: {
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
  {
    files: ["**/*.{js,mjs,cjs}"],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
);
