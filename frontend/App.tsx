import { useLayoutEffect } from "preact/hooks";
import { Home } from "./pages/Home";
import { InvalidRoom } from "./pages/InvalidRoom";
import { Room } from "./pages/Room";
import { currentPath, navigate } from "./router";
import { matchRoute } from "./routes";

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
      return <InvalidRoom input={route.input} reason={route.reason} />;
  }
}
