/**
 * lazy(): a component whose code arrives later. What shows meanwhile, that the props given while
 * it loaded are the ones it renders with, and that a failed download is said and tried again the
 * next time the component is rendered anew. The code is handed in through a promise the test
 * settles, which is what a dynamic import is.
 */

import { render, screen, waitFor } from "@testing-library/preact";
import { render as preactRender } from "preact";
import { describe, expect, it } from "vitest";
import { lazy } from "../../frontend/lazy";

function Greeting({ name }: { name: string }) {
  return <p>Hello {name}</p>;
}

/** A download the test finishes (or fails) by hand, counting how often it was started. */
function download() {
  const tries: { resolve(value: typeof Greeting): void; reject(error: Error): void }[] = [];
  const load = () =>
    new Promise<typeof Greeting>((resolve, reject) => {
      tries.push({ resolve, reject });
    });
  return { load, tries };
}

const placeholders = {
  loading: () => <p role="status">loading</p>,
  failed: () => <p role="alert">failed</p>,
};

describe("lazy", () => {
  it("shows its placeholder, then the component with the latest props", async () => {
    const { load, tries } = download();
    const Lazy = lazy(load, placeholders);
    const { rerender } = render(<Lazy name="Ada" />);
    expect(screen.getByRole("status").textContent).toBe("loading");
    rerender(<Lazy name="Grace" />);

    tries[0]?.resolve(Greeting);
    expect(await screen.findByText("Hello Grace")).toBeTruthy();
    expect(tries).toHaveLength(1);
  });

  it("fetches once when preloaded, and renders at once afterwards", async () => {
    const { load, tries } = download();
    const Lazy = lazy(load, placeholders);
    const preloaded = Lazy.preload();
    void Lazy.preload();
    tries[0]?.resolve(Greeting);
    await preloaded;

    render(<Lazy name="Ada" />);
    expect(screen.getByText("Hello Ada")).toBeTruthy();
    expect(tries).toHaveLength(1);
  });

  it("shows a preloaded component that lands between its first render and that render's effects", async () => {
    // The page renders once its language's catalog is in, which can be the moment the room's
    // preloaded chunk lands as well: rendered a moment before, the component must still appear.
    const { load, tries } = download();
    const Lazy = lazy(load, placeholders);
    const preloaded = Lazy.preload();
    const host = document.createElement("div");
    document.body.append(host);
    preactRender(<Lazy name="Ada" />, host); // no act(): effects wait for the next frame, as in a browser
    expect(host.textContent).toBe("loading");
    tries[0]?.resolve(Greeting);
    await preloaded; // landed: the first render's effect has not run yet
    await waitFor(() => expect(host.textContent).toBe("Hello Ada"));
    preactRender(null, host);
    host.remove();
  });

  it("says a failed download failed, and tries again when rendered anew", async () => {
    const { load, tries } = download();
    const Lazy = lazy(load, placeholders);
    // A failed preload is not thrown where it was started: the component says it where it renders.
    const preloaded = Lazy.preload();
    tries[0]?.reject(new Error("offline"));
    await preloaded;

    const first = render(<Lazy name="Ada" />);
    tries[1]?.reject(new Error("offline"));
    expect((await screen.findByRole("alert")).textContent).toBe("failed");
    first.unmount();

    render(<Lazy name="Ada" />);
    expect(screen.getByRole("status").textContent).toBe("loading");
    tries[2]?.resolve(Greeting);
    expect(await screen.findByText("Hello Ada")).toBeTruthy();
    expect(tries).toHaveLength(3);
  });
});
