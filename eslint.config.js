import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "src/db/generated/", "data/", "coverage/", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  {
    files: ["bin/**/*.js", "scripts/**/*.{js,mjs}"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    // The survey engine, the condition language and scoring are pure: no I/O, no clock, no frameworks.
    files: ["src/engine/**/*.ts", "src/conditions/**/*.ts", "src/scoring/**/*.ts"],
    ignores: ["src/scoring/io/**", "src/scoring/cli/**", "src/scoring/format/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "path", "crypto", "os", "child_process"], message: "pure module: no Node I/O here" },
            { group: ["grammy", "@grammyjs/*", "@prisma/*", "prisma", "i18next", "node-cron"], message: "pure module: no framework here" },
          ],
        },
      ],
      "no-restricted-globals": ["error", { name: "Date", message: "pure module: time is passed in" }],
      "no-restricted-properties": ["error", { object: "Math", property: "random", message: "pure module: randomness is passed in" }],
    },
  },
);
