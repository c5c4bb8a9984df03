// First: on a room link this starts the camera before the rest of the app has even been evaluated.
import "./early";
// The tokens and the shared base first: every component's own stylesheet comes after them in the cascade.
import "./styles/tokens.css";
import "./styles/base.css";
// Before the app's modules: the catalog's download starts first, alongside the room's chunk.
import "./i18n/start";
import { render } from "preact";
import { App } from "./App";
import { catalogReady } from "./i18n/start";

const root = document.getElementById("app");
// The first render needs words: it waits for the catalog (a few kB, fetched since the page's first script ran).
if (root) void catalogReady.then(() => render(<App />, root));
