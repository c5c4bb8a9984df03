import type { ComponentType, VNode } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n/active";

/**
 * A component whose code is downloaded the first time it renders (or when preloaded). The home
 * page is all most visitors need before they pick a room, so the call (engine, hair check, grid,
 * chat) stays out of the first download and arrives, cached afterwards, while the room page
 * opens; the call's dialogs, likewise, arrive once the call is on screen.
 */
export type LazyComponent<P extends object> = ComponentType<P> & {
  /**
   * Starts the download now rather than at the first render's effects (a frame or more later).
   * Settles once it is over; a failure is not thrown here but shown where the component renders.
   */
  preload(): Promise<void>;
};

/** What a lazy component shows until its code is there. */
export interface Placeholders<P> {
  loading(props: P): VNode | null;
  /** The download failed; the next time the component is rendered anew, it is tried again. */
  failed(props: P): VNode | null;
}

/** A whole page: say that it is loading, or that it could not load and how to get it. */
const PAGE: Placeholders<object> = {
  loading: () => (
    <main class="page">
      <p role="status">{t().loadingCall}</p>
    </main>
  ),
  failed: () => (
    <main class="page">
      <h1>{t().callNotLoadedTitle}</h1>
      <p>{t().callNotLoaded}</p>
      <button type="button" onClick={() => location.reload()}>
        {t().reload}
      </button>
    </main>
  ),
};

export function lazy<P extends object>(
  load: () => Promise<ComponentType<P>>,
  placeholders: Placeholders<P> = PAGE,
): LazyComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const start = (): Promise<ComponentType<P>> => {
    if (!loading) {
      loading = load().then((component) => {
        loaded = component;
        return component;
      });
      // A failed download (offline, or a deploy replaced the files) may be tried again.
      loading.catch(() => {
        loading = null;
      });
    }
    return loading;
  };

  function Lazy(props: P) {
    const [, setReady] = useState(false);
    const [failed, setFailed] = useState(false);

    useEffect(() => {
      // Arrived between this render and its effect (the page renders once its catalog is in,
      // which may be the very moment a preloaded chunk lands too): draw it now, or nothing would.
      if (loaded) {
        setReady(true);
        return;
      }
      let live = true;
      start().then(
        () => live && setReady(true),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, []);

    if (loaded) {
      const Loaded = loaded;
      return <Loaded {...props} />;
    }
    return failed ? placeholders.failed(props) : placeholders.loading(props);
  }
  return Object.assign(Lazy, {
    preload: () =>
      start().then(
        () => {},
        () => {},
      ),
  });
}
