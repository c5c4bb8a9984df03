/**
 * Finds the person in a camera frame: MediaPipe's selfie segmentation solution, with its landscape
 * model (made for 16:9 webcams: 256x144 in, one confidence per pixel out). Its loader script, wasm,
 * graph and model all ship in the npm package and are built into hashed files under /assets/, so
 * nothing is fetched from another origin (the solution's own default is a CDN) and browsers cache
 * them for good after the first time.
 *
 * The loader is a classic script that defines a global, not a module (and its package claims to
 * have no side effects, so a bundler would drop an import of it): it is added as a <script> from
 * our own origin, which the CSP's script-src 'self' allows. The tiny graph file is kept a file
 * (no-inline): Vite would make it a data: URL, which the CSP's connect-src 'self' refuses to fetch.
 */

import graphUrl from "@mediapipe/selfie_segmentation/selfie_segmentation.binarypb?url&no-inline";
import loaderUrl from "@mediapipe/selfie_segmentation/selfie_segmentation.js?url";
import modelUrl from "@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite?url";
import wasmLoaderUrl from "@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.js?url";
import wasmUrl from "@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.wasm?url";

/** Every file the solution asks for, by the name it asks with. */
const FILES: Readonly<Record<string, string>> = {
  "selfie_segmentation.binarypb": graphUrl,
  "selfie_segmentation_landscape.tflite": modelUrl,
  // Every browser with insertable streams (blur-setting.ts) has wasm SIMD: the other build is not shipped.
  "selfie_segmentation_solution_simd_wasm_bin.js": wasmLoaderUrl,
  "selfie_segmentation_solution_simd_wasm_bin.wasm": wasmUrl,
};

/** The part of the solution's API used here (its package's index.d.ts, without the global). */
interface Solution {
  setOptions(options: { modelSelection?: number; selfieMode?: boolean }): void;
  onResults(listener: (results: { segmentationMask: CanvasImageSource }) => void): void;
  initialize(): Promise<void>;
  send(inputs: { image: HTMLCanvasElement }): Promise<void>;
  close(): Promise<void>;
}
type SolutionClass = new (config: { locateFile: (file: string) => string }) => Solution;

export interface Segmenter {
  /** The person in `image` as the alpha of the returned canvas (same size); valid until the next call. */
  segment(image: HTMLCanvasElement): Promise<HTMLCanvasElement>;
  close(): void;
}

let loader: Promise<SolutionClass> | null = null;

function loadSolutionClass(): Promise<SolutionClass> {
  loader ??= new Promise<SolutionClass>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = loaderUrl;
    script.addEventListener("load", () => {
      const found = (globalThis as { SelfieSegmentation?: SolutionClass }).SelfieSegmentation;
      if (found) resolve(found);
      else reject(new Error("the segmentation script defined nothing"));
    });
    script.addEventListener("error", () => reject(new Error("the segmentation script did not load")));
    document.head.append(script);
  }).catch((error: unknown) => {
    loader = null;
    throw error;
  });
  return loader;
}

export async function loadSegmenter(): Promise<Segmenter> {
  const SelfieSegmentation = await loadSolutionClass();
  const solution = new SelfieSegmentation({
    locateFile(file) {
      const url = FILES[file];
      // Never a guess at some other address: an unknown file is a failure, not a CDN request.
      if (!url) throw new Error(`segmentation asked for an unknown file: ${file}`);
      return url;
    },
  });
  solution.setOptions({ modelSelection: 1, selfieMode: false });
  const mask = document.createElement("canvas");
  const maskContext = mask.getContext("2d");
  if (!maskContext) throw new Error("no 2D canvas");
  // The solution's mask lives on its own WebGL canvas and is redrawn by the next frame: copied out at once.
  solution.onResults(({ segmentationMask }) => {
    maskContext.globalCompositeOperation = "copy";
    maskContext.drawImage(segmentationMask, 0, 0, mask.width, mask.height);
  });
  await solution.initialize();
  return {
    async segment(image) {
      if (mask.width !== image.width || mask.height !== image.height) {
        mask.width = image.width;
        mask.height = image.height;
      }
      await solution.send({ image });
      return mask;
    },
    close: () => void solution.close(),
  };
}
