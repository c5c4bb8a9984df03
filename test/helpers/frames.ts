/**
 * Comparing what a <video> shows with the person camera's own picture (fixtures/person-camera.y4m),
 * for the background blur tests: both are reduced to a grid of block-averaged luma, and compared
 * over regions of the picture (the checkerboard either side, the person in the middle).
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { PERSON_CAMERA_FILE } from "./browser";
import type { PageDriver } from "./call-person";

/** Frames are compared as a grid of 4x4 pixel blocks: small shifts and codec noise average out. */
export const GRID_W = 160;
export const GRID_H = 90;
const BLOCK = 4;

/** The camera file's picture as block-averaged luma, full range (0..255), like a canvas gives. */
export function cameraLuma(): Float64Array {
  const file = readFileSync(PERSON_CAMERA_FILE);
  const header = file.indexOf("\n") + 1;
  const frame = file.indexOf("FRAME\n", header - 1) + "FRAME\n".length;
  const width = GRID_W * BLOCK;
  const grid = new Float64Array(GRID_W * GRID_H);
  for (let y = 0; y < GRID_H * BLOCK; y++)
    for (let x = 0; x < width; x++) {
      const studio = file[frame + y * width + x] ?? 16;
      const index = Math.floor(y / BLOCK) * GRID_W + Math.floor(x / BLOCK);
      grid[index] = (grid[index] ?? 0) + ((studio - 16) * 255) / 219 / (BLOCK * BLOCK);
    }
  return grid;
}

/** The picture the page's `selector` <video> shows now, scaled to the grid, as luma. */
export async function shownLuma(page: Page, selector: string): Promise<number[]> {
  return page.evaluate(readLuma, { selector, width: GRID_W, height: GRID_H });
}

/** The same, through a CallPerson's driver (Chromium or Firefox). */
export async function shownLumaIn(driver: PageDriver, selector: string): Promise<number[]> {
  return driver.evaluate(readLuma, { selector, width: GRID_W, height: GRID_H });
}

/** Runs in the page: the <video>'s picture drawn at width x height, as luma per pixel. */
function readLuma({ selector, width, height }: { selector: string; width: number; height: number }): number[] {
  const video = document.querySelector<HTMLVideoElement>(selector);
  if (!video || video.videoWidth === 0) return [];
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) return [];
  ctx.drawImage(video, 0, 0, width, height);
  const { data } = ctx.getImageData(0, 0, width, height);
  const luma: number[] = [];
  for (let i = 0; i < data.length; i += 4)
    luma.push(0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0));
  return luma;
}

export type Region = { x0: number; x1: number; y0: number; y1: number };
/** In camera pixels: the checkerboard strips either side, and the face and the suit in the middle. */
export const BACKGROUND: Region[] = [
  { x0: 0, x1: 128, y0: 0, y1: 360 },
  { x0: 512, x1: 640, y0: 0, y1: 360 },
];
export const PERSON: Region[] = [
  { x0: 264, x1: 336, y0: 48, y1: 120 },
  { x0: 200, x1: 320, y0: 200, y1: 300 },
];

/** Mean absolute luma difference between two grids over some regions. */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>, regions: Region[]): number {
  // No picture yet (the <video> has no frame): no measure at all, rather than a difference from black.
  if (a.length !== GRID_W * GRID_H || b.length !== GRID_W * GRID_H) return Number.NaN;
  let sum = 0;
  let count = 0;
  for (const { x0, x1, y0, y1 } of regions)
    for (let y = y0 / BLOCK; y < y1 / BLOCK; y++)
      for (let x = x0 / BLOCK; x < x1 / BLOCK; x++) {
        sum += Math.abs((a[y * GRID_W + x] ?? 0) - (b[y * GRID_W + x] ?? 0));
        count += 1;
      }
  return sum / count;
}
