// ESLint for berth: typescript-eslint's recommended rules, Pulumi's rules against an Output inside
// a template literal (it prints "Calling [toString] on an [Output<T>]..." instead of the value),
// and nothing about layout: Prettier owns formatting (eslint-config-prettier turns those rules off).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: ["**/node_modules/", "dist/", "services/dist/", "services/bundle/", ".pulumi/", "examples/*/bin/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      // berth reads untyped JSON (the engine's inspect output, Pulumi's mock arguments, zod internals)
      // at its edges; `unknown` there would add casts, not safety.
      "@typescript-eslint/no-explicit-any": "off",
      // Lazy loads on purpose: the gate's start-up is on the clock (dockerode, docker-modem, TLS only
      // when used), and the Pulumi SDK's runtime internals have no typed export.
      "@typescript-eslint/no-require-imports": [
        "error",
        { allow: ["^node:", "^dockerode$", "^docker-modem$", "^@pulumi/pulumi/runtime/"] },
      ],
      // `const { a: _a, ...rest } = x` drops a field on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    files: ["**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        __filename: "readonly",
        module: "writable",
        process: "readonly",
        __dirname: "readonly",
        console: "readonly",
        Buffer: "readonly",
      },
    },
  },
  prettier,
);
