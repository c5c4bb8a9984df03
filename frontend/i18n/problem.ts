/**
 * What the engine says to the person, as a catalog key and the values for its placeholders,
 * never as words: the page puts it in the person's language (problems.ts). Type-only towards the
 * catalog, so the engine stays free of any language's text and a wrong key fails the typecheck.
 */
import type { Catalog } from "./en";

/** The catalog's plain sentences (not its plural forms, not the locale). */
export type SentenceKey = {
  [K in keyof Catalog]: Catalog[K] extends string ? (K extends "locale" ? never : K) : never;
}[keyof Catalog];

export interface Problem {
  readonly key: SentenceKey;
  readonly values?: Readonly<Record<string, string | number>>;
}

export function problem(key: SentenceKey, values?: Readonly<Record<string, string | number>>): Problem {
  return values ? { key, values } : { key };
}
