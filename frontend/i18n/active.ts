/**
 * The language the page speaks now: a signal holding its catalog (views read it through `t()`,
 * so a switch redraws them), the one lazy chunk per language, and what switching changes on the
 * document (lang, dir). Only the chosen language's catalog is ever downloaded, English included.
 */
import { signal } from "@preact/signals";
import { readSetting, writeSetting } from "../services/storage";
import type { Catalog } from "./en";
import { chooseLanguage, directionOf, LANGUAGE_STORAGE_KEY, type Language } from "./languages";

/** Each catalog is a chunk of its own; the page fetches exactly one. */
const LOADERS: Record<Language, () => Promise<Catalog>> = {
  en: () => import("./en").then((module) => module.en),
  de: () => import("./de").then((module) => module.de),
  fr: () => import("./fr").then((module) => module.fr),
  es: () => import("./es").then((module) => module.es),
  "pt-BR": () => import("./pt-BR").then((module) => module.ptBR),
  ja: () => import("./ja").then((module) => module.ja),
  ar: () => import("./ar").then((module) => module.ar),
};

const active = signal<{ language: Language; catalog: Catalog } | null>(null);

/** The active catalog; reading it in a render subscribes the component to language switches. */
export function t(): Catalog {
  const current = active.value;
  if (!current) throw new Error("natter: no catalog loaded yet (main.tsx renders once one is)");
  return current.catalog;
}

export function currentLanguage(): Language {
  return active.value?.language ?? "en";
}

/** Puts a loaded catalog in place: the page redraws in it, and the document says which language and direction. */
export function useCatalog(language: Language, catalog: Catalog): void {
  active.value = { language, catalog };
  if (typeof document !== "undefined") {
    document.documentElement.lang = language;
    document.documentElement.dir = directionOf(language);
  }
}

/** The language this visit starts in (see languages.ts for the order). */
export function initialLanguage(): Language {
  return chooseLanguage({
    query: new URLSearchParams(location.search).get("lang"),
    remembered: readSetting(LANGUAGE_STORAGE_KEY),
    preferred: typeof navigator === "undefined" ? [] : navigator.languages,
  });
}

/** Downloads a language's catalog and switches to it; a failed download falls back to English, then gives up. */
export async function loadLanguage(language: Language): Promise<void> {
  try {
    useCatalog(language, await LOADERS[language]());
  } catch (error) {
    if (language === "en") throw error;
    console.warn(`natter: the ${language} catalog could not load`, error);
    useCatalog("en", await LOADERS.en());
  }
}

/**
 * The person picked a language (home page or settings): remember it, and drop a `?lang=` from the
 * address, which would otherwise overrule the pick on the next visit to this URL.
 */
export async function pickLanguage(language: Language): Promise<void> {
  writeSetting(LANGUAGE_STORAGE_KEY, language);
  const url = new URL(location.href);
  if (url.searchParams.has("lang")) {
    url.searchParams.delete("lang");
    history.replaceState(history.state, "", url);
  }
  await loadLanguage(language);
}
