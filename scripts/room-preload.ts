/**
 * The room's code, fetched with the page. A room link's HTML is the same file as the home page's,
 * and the app only asks for the room's chunk once its own chunk has downloaded and run: one round
 * trip after another. A `Link: rel=preload` header on room links (written into the asset server's
 * `_headers`) starts that download with the HTML instead; with Early Hints on for the zone,
 * Cloudflare can also send such headers ahead as a 103 (untested here: wrangler dev does not). `preload; as=script`, not `modulepreload`: a module preload also
 * instantiates the chunk's imports, and the room's chunk imports the entry chunk back, which left
 * Firefox on "Loading the call…" for good once the chunk was cached; a plain preload only fetches
 * the bytes, which the app's own import then uses. The home page (`/`) does not get it, so it stays as light as
 * it is. Build tooling: the chunk's hashed name is only known here.
 */
import { readdirSync } from "node:fs";
import type { Rollup } from "vite";

const ROOM_MODULE = "frontend/pages/room/Room.tsx";

/**
 * The `_headers` rules: `/:room` matches every one-segment path, which is every room link (and a
 * link that is no room, whose page is small and harmless to hint); the site's own one-segment
 * files (the favicon, the manifest) take the header off again.
 */
export function roomPreloadHeaders(bundle: Rollup.OutputBundle, publicDir: string): string {
  const room = Object.values(bundle).find(
    (file): file is Rollup.OutputChunk =>
      file.type === "chunk" && (file.facadeModuleId?.replaceAll("\\", "/").endsWith(ROOM_MODULE) ?? false),
  );
  if (!room) throw new Error(`room-preload: no chunk for ${ROOM_MODULE} in the build`);
  const css = [...(room.viteMetadata?.importedCss ?? [])];
  // crossorigin like the tags Vite writes, or the browser would fetch each file a second time.
  const links = [
    `</${room.fileName}>; rel=preload; as=script; crossorigin`,
    ...css.map((file) => `</${file}>; rel=preload; as=style; crossorigin`),
  ];
  const ownFiles = readdirSync(publicDir).filter((name) => !name.startsWith("."));
  return [
    "# A room link fetches the call's code with the page (scripts/room-preload.ts).",
    `/:room\n  Link: ${links.join(", ")}\n`,
    ...ownFiles.map((name) => `/${name}\n  ! Link\n`),
  ].join("\n");
}
