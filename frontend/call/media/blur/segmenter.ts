/**
 * Finds the person in a camera frame: MediaPipe's selfie segmentation model (the landscape one,
 * made for 16:9 webcams: 256x144 in, one confidence per pixel out) run by MediaPipe Tasks'
 * ImageSegmenter. The wasm, its loader and the model ship inside npm packages and are built into
 * hashed files under /assets/, so nothing is fetched from another origin (the library's own
 * default is a CDN), and browsers cache them for good after the first time.
 */
import { ImageSegmenter } from "@mediapipe/tasks-vision";
import wasmLoaderPath from "@mediapipe/tasks-vision/vision_wasm_internal.js?url";
import wasmBinaryPath from "@mediapipe/tasks-vision/vision_wasm_internal.wasm?url";
import modelAssetPath from "@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite?url";

/** How much each pixel is the person, 0..1, row by row. */
export interface PersonMask {
  readonly values: Float32Array;
  readonly width: number;
  readonly height: number;
}

export interface Segmenter {
  segment(image: TexImageSource, now: number): PersonMask | null;
  close(): void;
}

export async function loadSegmenter(): Promise<Segmenter> {
  const segmenter = await ImageSegmenter.createFromOptions(
    { wasmLoaderPath, wasmBinaryPath },
    {
      // CPU (XNNPACK) beats the GL delegate where WebGL is software, and costs no GPU memory.
      baseOptions: { modelAssetPath, delegate: "CPU" },
      runningMode: "VIDEO",
      outputConfidenceMasks: true,
      outputCategoryMask: false,
    },
  );
  let last = 0;
  return {
    segment(image, now) {
      // The library insists on strictly rising timestamps.
      last = Math.max(now, last + 1);
      const result = segmenter.segmentForVideo(image, last);
      const mask = result.confidenceMasks?.[0];
      // A copy: the library reuses the memory behind the mask for the next frame.
      const found = mask ? { values: mask.getAsFloat32Array().slice(), width: mask.width, height: mask.height } : null;
      result.close();
      return found;
    },
    close: () => segmenter.close(),
  };
}
