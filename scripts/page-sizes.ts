/**
 * A Vite plugin that prints, after every build, what each page of the app costs to download:
 * the JavaScript and CSS a visit fetches, gzipped. Vite's own table lists chunks; people load
 * pages, and the room page is the home page's code plus the lazily loaded call. Every page also
 * fetches exactly one language's catalog before its first render: counted here at the largest one,
 * so the total holds whatever language a visitor reads.
 */
import { gzipSync } from "node:zlib";
import type { Plugin, Rollup } from "vite";

interface Page {
  name: string;
  /** Source modules (from the project root) whose dynamic chunks this page loads, besides the entry. */
  lazy: readonly string[];
  /**
   * Dynamic chunks the page fetches once it is up, for what only shows on request: not needed to
   * show the page, so not in its total, but printed beside it (a visit still downloads them).
   */
  prefetched?: readonly string[];
}

const PAGES: readonly Page[] = [
  // The home page draws its suggested name in the page, from word lists it loads after the first paint.
  { name: "home", lazy: ["common/room-name-generator.ts"] },
  // The call's dialogs and chat panel are fetched once the call is on screen.
  {
    name: "room (hair check + call)",
    lazy: ["frontend/pages/room/Room.tsx"],
    prefetched: ["frontend/pages/room/on-demand.ts"],
  },
];

export function pageSizes(): Plugin {
  let report: string[] = [];
  return {
    name: "natter-page-sizes",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((file): file is Rollup.OutputChunk => file.type === "chunk");
      const entry = chunks.find((chunk) => chunk.isEntry);
      if (!entry) return;
      const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
      const sizeOf = (fileName: string): number => {
        const file = bundle[fileName];
        if (!file) return 0;
        const content = file.type === "chunk" ? file.code : file.source;
        return gzipSync(content).byteLength;
      };
      /** A chunk, everything it imports statically, and their CSS: what loading it downloads. */
      const closure = (start: Rollup.OutputChunk, files: Set<string>): void => {
        if (files.has(start.fileName)) return;
        files.add(start.fileName);
        for (const css of start.viteMetadata?.importedCss ?? []) files.add(css);
        for (const imported of start.imports) {
          const chunk = byFile.get(imported);
          if (chunk) closure(chunk, files);
        }
      };
      const home = new Set<string>();
      closure(entry, home);
      // One catalog per visit (frontend/i18n/<language>.ts): count the heaviest, the worst case.
      const catalogs = chunks.filter((chunk) => /\/frontend\/i18n\/[a-zA-Z-]+\.ts$/.test(chunk.facadeModuleId ?? ""));
      const largest = catalogs.reduce<Rollup.OutputChunk | null>(
        (best, chunk) => (best === null || sizeOf(chunk.fileName) > sizeOf(best.fileName) ? chunk : best),
        null,
      );
      const catalogNote = largest
        ? `\n  (each includes one language's catalog, counted at the largest: ${largest.name}, ${kb(sizeOf(largest.fileName))})`
        : "";
      if (largest) closure(largest, home);
      const load = (sources: readonly string[], files: Set<string>): void => {
        for (const source of sources) {
          const chunk = chunks.find((c) => c.facadeModuleId?.endsWith(`/${source}`));
          if (chunk) closure(chunk, files);
        }
      };
      report = PAGES.map((page) => {
        const files = new Set(home);
        load(page.lazy, files);
        const later = new Set(files);
        load(page.prefetched ?? [], later);
        const js = [...files].filter((f) => f.endsWith(".js")).reduce((sum, f) => sum + sizeOf(f), 0);
        const css = [...files].filter((f) => f.endsWith(".css")).reduce((sum, f) => sum + sizeOf(f), 0);
        const extra = [...files].filter((f) => !home.has(f)).reduce((sum, f) => sum + sizeOf(f), 0);
        const prefetched = [...later].filter((f) => !files.has(f)).reduce((sum, f) => sum + sizeOf(f), 0);
        const prefetchNote = prefetched > 0 ? `; then ${kb(prefetched)} prefetched` : "";
        const lazyNote = page.lazy.length > 0 ? `  (${kb(extra)} of it loaded lazily${prefetchNote})` : "";
        return `  ${page.name.padEnd(26)} ${kb(js + css).padStart(9)} gzip: JS ${kb(js)}, CSS ${kb(css)}${lazyNote}`;
      });
      if (catalogNote) report.push(catalogNote.trimStart());
    },
    closeBundle() {
      if (report.length > 0) console.log(`\nWhat each page downloads (JS + CSS):\n${report.join("\n")}\n`);
    },
  };
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}
