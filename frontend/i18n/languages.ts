/**
 * The languages natter speaks and how one is chosen: `?lang=` in the address, else the one the
 * person picked (remembered on this device), else the browser's preferences, else English. Pure,
 * so the order can be tested without a browser; the names are each language's own, never translated.
 */
export const LANGUAGES = [
  { code: "en", name: "English", dir: "ltr" },
  { code: "de", name: "Deutsch", dir: "ltr" },
  { code: "fr", name: "Français", dir: "ltr" },
  { code: "es", name: "Español", dir: "ltr" },
  { code: "pt-BR", name: "Português (Brasil)", dir: "ltr" },
  { code: "ja", name: "日本語", dir: "ltr" },
  { code: "ar", name: "العربية", dir: "rtl" },
] as const;

export type Language = (typeof LANGUAGES)[number]["code"];

export const LANGUAGE_STORAGE_KEY = "natter:lang";

export function directionOf(language: Language): "ltr" | "rtl" {
  return LANGUAGES.find((entry) => entry.code === language)?.dir ?? "ltr";
}

/**
 * The language a tag asks for, or null: exact ("pt-BR"), case-insensitive ("PT-br"), or by its
 * primary subtag ("de-AT" → German, "pt-PT" → Portuguese, the Brazilian one being all we have).
 */
export function matchLanguage(tag: string | null | undefined): Language | null {
  if (!tag) return null;
  const lower = tag.trim().toLowerCase();
  const exact = LANGUAGES.find((entry) => entry.code.toLowerCase() === lower);
  if (exact) return exact.code;
  const primary = lower.split(/[-_]/)[0];
  return LANGUAGES.find((entry) => entry.code.split("-")[0] === primary)?.code ?? null;
}

export interface LanguageHints {
  /** `?lang=` from the address. */
  query: string | null;
  /** What the person picked before on this device. */
  remembered: string | null;
  /** navigator.languages, most preferred first. */
  preferred: readonly string[];
}

export function chooseLanguage({ query, remembered, preferred }: LanguageHints): Language {
  return (
    matchLanguage(query) ??
    matchLanguage(remembered) ??
    preferred.map(matchLanguage).find((language) => language !== null) ??
    "en"
  );
}
