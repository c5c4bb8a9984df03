// First: on a room link this starts the camera before the rest of the app has even been evaluated.
import "./early";
// The tokens and the shared base first: every component's own stylesheet comes after them in the cascade.
import "./styles/tokens.css";
import "./styles/base.css";
import { render } from "preact";
import { App } from "./App";

const root = document.getElementById("app");
if (root) render(<App />, root);
