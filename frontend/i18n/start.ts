/**
 * Imported first by main.tsx, before the app's modules run: starts the catalog's download at the
 * very start of the page, in parallel with the room's chunk (which App.tsx starts next), so the
 * language never adds a round trip after the page's own code.
 */
import { initialLanguage, loadLanguage } from "./active";

export const catalogReady: Promise<void> = loadLanguage(initialLanguage());
