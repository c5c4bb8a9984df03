// `npm run dev`: Vite serves the frontend with hot reload and proxies /api (HTTP and
// WebSocket) to `wrangler dev`, which runs the Worker and Room Durable Objects.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";

// wrangler refuses to start without its assets directory; Vite serves the real pages.
if (!existsSync("dist/index.html")) {
  mkdirSync("dist", { recursive: true });
  writeFileSync("dist/index.html", "<!doctype html><p>Open the Vite dev server instead.</p>");
}

const children = [
  spawn("npx", ["wrangler", "dev", "--port", "8787"], { stdio: "inherit" }),
  spawn("npx", ["vite", "--port", "5173"], { stdio: "inherit" }),
];
console.log("natter dev: open http://localhost:5173 (API and rooms via wrangler dev on :8787)");

const stop = () => {
  for (const child of children) child.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const child of children)
  child.on("exit", (code) => {
    stop();
    process.exitCode = code ?? 0;
  });
