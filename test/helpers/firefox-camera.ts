/**
 * A camera that films a person, for Firefox: its own fake camera is a plain colour that cycles,
 * which has no one to find and no edge to blur, and it cannot play a file as Chromium's can
 * (browser.ts, personCameraArgs). This script, installed before the page's own, keeps Firefox's
 * fake microphone and replaces the camera track getUserMedia answers with a canvas showing the same
 * picture Chromium's person camera shows (fixtures/person-camera.y4m, converted to RGB here), redrawn
 * at the camera's rate. Only the source of the pictures is stood in for: the app, its blur engine
 * and the WebRTC in between are the browser's own. The ids of these camera tracks are kept in
 * `window.__e2eCameraTracks`, and those of every canvas's captured track (the camera's included)
 * in `window.__e2eCanvasTracks`, so a test can tell the camera from the blurred canvas made of it.
 */
import { readFileSync } from "node:fs";
import { PERSON_CAMERA_FILE } from "./browser";

const WIDTH = 640;
const HEIGHT = 360;
/** As Chromium's fake camera runs the file. */
const FPS = 24;

/** The y4m's one frame (4:2:0, BT.601 studio range) as packed RGB. */
function personRgb(): Buffer {
  const file = readFileSync(PERSON_CAMERA_FILE);
  const frame = file.indexOf("FRAME\n") + "FRAME\n".length;
  const lumaSize = WIDTH * HEIGHT;
  const chromaWidth = WIDTH / 2;
  const rgb = Buffer.alloc(lumaSize * 3);
  const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      const chroma = Math.floor(y / 2) * chromaWidth + Math.floor(x / 2);
      const l = 1.164 * ((file[frame + y * WIDTH + x] ?? 16) - 16);
      const u = (file[frame + lumaSize + chroma] ?? 128) - 128;
      const v = (file[frame + lumaSize + lumaSize / 4 + chroma] ?? 128) - 128;
      const i = (y * WIDTH + x) * 3;
      rgb[i] = clamp(l + 1.596 * v);
      rgb[i + 1] = clamp(l - 0.392 * u - 0.813 * v);
      rgb[i + 2] = clamp(l + 2.017 * u);
    }
  return rgb;
}

/** Runs in the page before its own scripts (the picture is its argument). */
function installPersonCamera(picture: { rgb: string; width: number; height: number; fps: number }): void {
  const devices = navigator.mediaDevices;
  // Pages with no media devices (about:blank, before the app's page) get nothing.
  if (!devices) return;
  const original = devices.getUserMedia.bind(devices);
  const seen = window as unknown as { __e2eCameraTracks: string[]; __e2eCanvasTracks: string[] };
  seen.__e2eCameraTracks = [];
  seen.__e2eCanvasTracks = [];
  // Firefox's captured canvas tracks are plain MediaStreamTracks: their ids are how a test knows them.
  const capture = HTMLCanvasElement.prototype.captureStream;
  HTMLCanvasElement.prototype.captureStream = function (this: HTMLCanvasElement, fps?: number) {
    const stream = capture.call(this, fps);
    for (const track of stream.getVideoTracks()) seen.__e2eCanvasTracks.push(track.id);
    return stream;
  };
  const bytes = atob(picture.rgb);
  const cameraTrack = (): MediaStreamTrack => {
    const canvas = document.createElement("canvas");
    canvas.width = picture.width;
    canvas.height = picture.height;
    const context = canvas.getContext("2d");
    if (!context) throw new Error("no 2D canvas for the test camera");
    const image = context.createImageData(picture.width, picture.height);
    for (let i = 0, n = picture.width * picture.height; i < n; i++) {
      image.data[i * 4] = bytes.charCodeAt(i * 3);
      image.data[i * 4 + 1] = bytes.charCodeAt(i * 3 + 1);
      image.data[i * 4 + 2] = bytes.charCodeAt(i * 3 + 2);
      image.data[i * 4 + 3] = 255;
    }
    const paint = () => context.putImageData(image, 0, 0);
    paint();
    const timer = setInterval(paint, 1000 / picture.fps);
    const track = canvas.captureStream(picture.fps).getVideoTracks()[0];
    if (!track) throw new Error("no track from the test camera's canvas");
    const stop = track.stop.bind(track);
    track.stop = () => {
      clearInterval(timer);
      stop();
    };
    seen.__e2eCameraTracks.push(track.id);
    return track;
  };
  devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    const stream = await original(constraints);
    for (const fake of stream.getVideoTracks()) {
      stream.removeTrack(fake);
      fake.stop();
      stream.addTrack(cameraTrack());
    }
    return stream;
  };
}

/** The init script for `page.evaluateOnNewDocument`. */
export function firefoxPersonCamera(): string {
  const picture = { rgb: personRgb().toString("base64"), width: WIDTH, height: HEIGHT, fps: FPS };
  return `(${installPersonCamera.toString()})(${JSON.stringify(picture)});`;
}
