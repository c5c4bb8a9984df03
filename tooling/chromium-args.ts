/**
 * How the tests and the bench start Chromium: both must see the same browser.
 */
export const CHROMIUM_ARGS = [
  // A synthetic camera (moving test pattern) and microphone (the file is steady-voice.ts's), granted without a prompt.
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  // We run as root in a container, where Chromium's sandbox cannot start.
  "--no-sandbox",
  "--disable-gpu",
  // The machine has no internet: anything that phones home would only add timeouts and noise.
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Remote <video> elements must play without a click, or nothing would pull frames through the decoder.
  "--autoplay-policy=no-user-gesture-required",
];
