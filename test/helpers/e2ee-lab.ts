/**
 * The end-to-end encryption lab (test/e2e/e2ee-lab/): built by Vite as the app is, served with
 * the app's own security headers so its worker loads under the real Content-Security-Policy,
 * and a still camera picture that tells a decoded picture from what a decoder makes of ciphertext.
 */
import { writeFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { afterAll, beforeAll } from "vitest";
import { SECURITY_HEADERS } from "../../worker/security-headers";
import type { Picture } from "../e2e/e2ee-lab/lab";
import { MEDIA_TIMEOUT_MS } from "./browser";
import { withTimeout } from "./with-timeout";

/**
 * A still camera picture, red on the left and blue on the right (YUV 4:2:0, BT.601), so a test
 * can tell a decoded picture from what a decoder makes of ciphertext. Two identical frames: Chromium loops the file.
 */
export function stillCameraFile(): string {
  const [width, height] = [320, 240];
  const plane = (w: number, h: number, left: number, right: number) =>
    Buffer.from(Array.from({ length: w * h }, (_, i) => (i % w < w / 2 ? left : right)));
  const frame = Buffer.concat([
    Buffer.from("FRAME\n"),
    plane(width, height, 81, 41),
    plane(width / 2, height / 2, 90, 240),
    plane(width / 2, height / 2, 240, 110),
  ]);
  const path = join(tmpdir(), "natter-e2ee-still.y4m");
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F15:1 Ip A1:1 C420jpeg\n`), frame, frame]),
  );
  return path;
}
export const isRedBlue = (picture: Picture | null) =>
  picture !== null &&
  picture.left[0]! > 150 &&
  picture.left[2]! < 100 &&
  picture.right[2]! > 150 &&
  picture.right[0]! < 100;

const LAB = fileURLToPath(new URL("../e2e/e2ee-lab/", import.meta.url));
const OUT = join(tmpdir(), `natter-e2ee-lab-${process.pid}`);
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };

/** The built lab, with the headers every natter response carries. */
function serve(): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url ?? "/", "http://lab").pathname).replace(/^\/+/, "") || "index.html";
    try {
      const body = await readFile(join(OUT, path));
      response.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": TYPES[extname(path)] ?? "text/plain" });
      response.end(body);
    } catch {
      response.writeHead(404, SECURITY_HEADERS).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * Reads until `done`, for MEDIA_TIMEOUT_MS. A read that does not answer within READ_TIMEOUT_MS
 * counts as "not yet" and is asked again: a page busy on a loaded machine (Firefox over BiDi, once
 * in CI) can leave one evaluate unanswered, and that must end in this message, not the test's timeout.
 */
export async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + MEDIA_TIMEOUT_MS;
  let last = "nothing read yet";
  for (;;) {
    try {
      const value = await withTimeout(read(), READ_TIMEOUT_MS, "a read");
      if (done(value)) return value;
      last = JSON.stringify(value);
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${MEDIA_TIMEOUT_MS / 1000} s; last: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const READ_TIMEOUT_MS = 5_000;

/** Builds the lab and serves it for one describe block; returns its origin. */
export function useLab(): () => string {
  let server: Server | undefined;
  let origin = "";
  beforeAll(async () => {
    await build({
      root: LAB,
      configFile: false,
      logLevel: "warn",
      build: { outDir: OUT, emptyOutDir: true, target: "esnext", modulePreload: { polyfill: false } },
      worker: { format: "es" },
    });
    server = await serve();
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await rm(OUT, { recursive: true, force: true });
  });
  return () => origin;
}
