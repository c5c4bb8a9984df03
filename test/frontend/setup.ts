import { cleanup } from "@testing-library/preact";
import { afterEach } from "vitest";
import { useCatalog } from "../../frontend/i18n/active";
import { en } from "../../frontend/i18n/en";

// The views speak English here (the existing tests find things by their English words); the
// page itself loads its catalog before the first render (main.tsx). Language tests switch it.
useCatalog("en", en);

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  history.replaceState(null, "", "/");
  useCatalog("en", en);
});

// happy-dom's MediaStream has getAudioTracks and getVideoTracks but no getTracks, which every browser has.
if (typeof MediaStream !== "undefined" && !("getTracks" in MediaStream.prototype)) {
  Object.defineProperty(MediaStream.prototype, "getTracks", {
    value(this: MediaStream) {
      return [...this.getAudioTracks(), ...this.getVideoTracks()];
    },
  });
}
