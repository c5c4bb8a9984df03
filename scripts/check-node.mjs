// Runs at the head of the scripts that start wrangler, vite or vitest. `npm install` runs on the
// machine's Node (20 is enough), and the `node` devDependency puts a Node 24 binary in
// node_modules/.bin, which npm puts first on PATH for every script. So this only fails when that
// binary is missing (an install with --ignore-scripts, or a script started without npm) and the
// machine's own Node is too old for wrangler, miniflare and vitest: one clear sentence instead of
// a stack trace from deep inside wrangler.
import { existsSync } from "node:fs";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  const bundled = existsSync(new URL("../node_modules/.bin/node", import.meta.url));
  const fix = bundled
    ? "Run it through npm (`npm start`, `npm test`, `npm run <script>`) or npx, which put node_modules/.bin first on PATH."
    : "node_modules/.bin/node is missing (npm install --ignore-scripts skips the install script that puts it there): run `npm rebuild node`.";
  console.error(
    `natter's tools need Node.js 22.12 or newer, but this ran on Node.js ${process.versions.node} (${process.execPath}).\n${fix}`,
  );
  process.exit(1);
}
