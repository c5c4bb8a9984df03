import { useLayoutEffect } from "preact/hooks";
import { lazy } from "./lazy";
import { Home } from "./pages/Home";
import { InvalidRoom } from "./pages/InvalidRoom";
import { currentPath, navigate } from "./router";
import { matchRoute } from "./routes";

/** Only a room needs the call engine, the hair check and the grid: its own chunk, loaded on arrival. */
const Room = lazy(() => import("./pages/room/Room").then((module) => module.Room));
// Someone who opened a room link needs that chunk at once: importing it now rather than at the
// first render's effects saves a frame or more (its bytes are usually in already: the page's Link
// header fetched them with the HTML, see scripts/room-preload.ts).
if (matchRoute(currentPath.value).kind === "room") Room.preload();

export function App() {
  const pathname = currentPath.value;
  const route = matchRoute(pathname);
  const canonical = route.kind === "room" ? route.path : null;

  useLayoutEffect(() => {
    // "/Team%20Sync" and "/team-sync" are one room; show the one address people should share.
    if (canonical !== null && canonical !== pathname) navigate(canonical, { replace: true });
  }, [canonical, pathname]);

  switch (route.kind) {
    case "home":
      return <Home />;
    case "room":
      // Keyed by name: moving to another room is a new call, never a reused one.
      return <Room key={route.name} room={route.name} />;
    case "invalid-room":
      return <InvalidRoom input={route.input} problem={route.problem} />;
  }
}
