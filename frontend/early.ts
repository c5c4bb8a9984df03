/**
 * The first thing the page runs, and small on purpose: on a room link it shows the room's one
 * address at once ("/Team%20Sync" becomes "/team-sync", the query kept), and starts the camera and
 * opens the room's socket while the app's chunks are still downloading and parsing, so both are
 * ready when the hair check appears (early-capture.ts, early-socket.ts say how they are handed
 * over). main.tsx imports it first; the CSP forbids inline script, so it cannot be in the HTML.
 */
import { openEarlySocket } from "./call/link/early-socket";
import { roomSocketUrlFor } from "./call/link/socket-url";
import { captureConstraints } from "./call/media/constraints";
import { loadDeviceChoice } from "./call/media/device-choice";
import { startEarlyCapture } from "./call/media/early-capture";
import { matchRoute } from "./routes";

const route = matchRoute(location.pathname);
if (route.kind === "room") {
  // Before the router reads the address: the first paint waits for the language's catalog, and
  // the address bar should not show the spelling someone typed until then.
  if (route.path !== location.pathname)
    history.replaceState(null, "", `${route.path}${location.search}${location.hash}`);
  startEarlyCapture(captureConstraints(loadDeviceChoice()));
  // No crypto.subtle (not a secure context): the app's own attempt says what is wrong.
  roomSocketUrlFor(route.name).then(openEarlySocket, () => {});
}
