/**
 * The design tokens (frontend/styles/tokens.css), written into the built stylesheets as their
 * values. In the source every component says `var(--space-2)` so that a change of palette or
 * scale is one edit; in the download that name costs three times the bytes of `.5rem`, some 300
 * times, and the minifier cannot fold `calc(-1 * var(--space-1))`. A token is defined once, on
 * :root, and nothing redefines it below (the build stops if a stylesheet does, or if a script
 * names one), so every `var(--token)` computes to the :root value: writing the value in its place
 * changes no computed style, and the :root definitions, which nothing uses any more, are left out
 * of the build. Build only: in `npm run dev` the stylesheets keep their names, so an edit of
 * tokens.css reaches every component at once.
 */
import { readFileSync } from "node:fs";
import type { Plugin } from "vite";

const TOKENS_FILE = "frontend/styles/tokens.css";

/** The tokens and their values, each value with the tokens it names already written out. */
export function readTokens(css: string): Map<string, string> {
  const body = css.replace(/\/\*[\s\S]*?\*\//g, "");
  const root = /:root\s*\{([^}]*)\}/.exec(body);
  if (!root || body.replace(root[0], "").trim() !== "") {
    throw new Error(`inline-tokens: ${TOKENS_FILE} should hold one :root rule and nothing else`);
  }
  const tokens = new Map<string, string>();
  for (const [, name, value] of root[1]!.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) {
    tokens.set(name!, inline(value!.trim(), tokens, TOKENS_FILE));
  }
  return tokens;
}

/**
 * `css` with every `var(--token)` replaced by the token's value. A `var()` with a fallback, or of
 * a name that is no token (a component's own property such as `--quality`), is left as it is.
 */
export function inline(css: string, tokens: ReadonlyMap<string, string>, file: string): string {
  for (const [, name] of css.matchAll(/(--[\w-]+)\s*:/g)) {
    if (tokens.has(name!)) throw new Error(`inline-tokens: ${file} redefines the token ${name}`);
  }
  return css.replace(/var\(\s*(--[\w-]+)\s*\)/g, (whole, name: string) => tokens.get(name) ?? whole);
}

export function inlineTokens(): Plugin {
  let tokens = new Map<string, string>();
  return {
    name: "natter-inline-tokens",
    apply: "build",
    // Before Vite's own CSS step, so the minifier sees the values (and folds what it can).
    enforce: "pre",
    buildStart() {
      tokens = readTokens(readFileSync(TOKENS_FILE, "utf8"));
    },
    transform(code, id) {
      const file = id.split("?")[0]!.replaceAll("\\", "/");
      if (file.includes("/node_modules/")) return null;
      // Every use now holds its value: the definitions themselves would be dead bytes on every page.
      if (file.endsWith(TOKENS_FILE)) return { code: "", map: null };
      if (file.endsWith(".css")) return { code: inline(code, tokens, file), map: null };
      // A script that read a token would find it gone from the build, and one that set it would
      // change nothing the stylesheets draw: refuse rather than ship either.
      if (/\.[cm]?[jt]sx?$/.test(file)) {
        for (const name of code.match(/(?<![\w-])--[\w-]+/g) ?? []) {
          if (tokens.has(name)) throw new Error(`inline-tokens: ${file} names the design token ${name}`);
        }
      }
      return null;
    },
  };
}
