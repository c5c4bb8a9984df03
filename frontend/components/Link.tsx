import type { ComponentChildren } from "preact";
import { navigate } from "../router";

/** An ordinary link that stays inside the app on a plain click, and still opens new tabs on modified ones. */
export function Link({ href, children }: { href: string; children: ComponentChildren }) {
  const onClick = (event: MouseEvent) => {
    if (!isPlainClick(event)) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick}>
      {children}
    </a>
  );
}

function isPlainClick(event: MouseEvent): boolean {
  return (
    !event.defaultPrevented && event.button === 0 && !(event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
  );
}
