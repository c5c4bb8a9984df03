import { cleanup } from "@testing-library/preact";
import { afterEach } from "vitest";

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  history.replaceState(null, "", "/");
});

// happy-dom's MediaStream has getAudioTracks and getVideoTracks but no getTracks, which every browser has.
if (typeof MediaStream !== "undefined" && !("getTracks" in MediaStream.prototype)) {
  Object.defineProperty(MediaStream.prototype, "getTracks", {
    value(this: MediaStream) {
      return [...this.getAudioTracks(), ...this.getVideoTracks()];
    },
  });
}
