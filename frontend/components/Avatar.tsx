/**
 * A person without a picture: initials on a colour of their own. Shared by the call's tiles and
 * the hair check's preview; split from Tile.tsx so the preview does not reach into the tiles.
 */
import "./Tile.css";

/** Initials on a colour of their own, so people with the camera off are still told apart at a glance. */
export function Avatar({ name }: { name: string }) {
  return (
    <span class="tile__avatar" data-testid="avatar" aria-hidden="true">
      <span class="tile__initials" style={{ backgroundColor: `hsl(${hue(name)} 45% 32%)` }}>
        {initials(name)}
      </span>
    </span>
  );
}

/** "Ada Lovelace" → "AL", "grace" → "G"; by code point, so an emoji or a CJK name is not cut in half. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = [...(words[0] ?? "?")][0] ?? "?";
  const last = words.length > 1 ? ([...(words.at(-1) ?? "")][0] ?? "") : "";
  return (first + last).toUpperCase();
}

function hue(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return hash;
}
