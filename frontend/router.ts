import { signal } from "@preact/signals";

/**
 * A router small enough to read at a glance: the app has two kinds of URL ("/" and "/<room>"),
 * so a signal of the pathname plus the History API is all it needs.
 */
export const currentPath = signal(location.pathname);

addEventListener("popstate", () => {
  currentPath.value = location.pathname;
});

export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  currentPath.value = location.pathname;
}
