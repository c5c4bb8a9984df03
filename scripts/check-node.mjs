// Runs before anything else (also as npm's preinstall) so that a too-old Node
// fails with one clear sentence instead of a stack trace from deep inside wrangler.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `natter needs Node.js 22.12 or newer (wrangler, miniflare and vitest require it); this is Node.js ${process.versions.node}.\n` +
      "Install a current Node.js from https://nodejs.org or your version manager, then run the command again.",
  );
  process.exit(1);
}
