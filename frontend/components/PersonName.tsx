import type { NameLabel } from "../call/names";
import "./PersonName.css";

/**
 * A person's name as the page shows it. The name sits in its own bidi isolate (<bdi>), so a
 * right-to-left name cannot reorder the words the interface puts around it ("(you)", "locked the
 * room"); the tag that tells apart people with the same name is the interface's, outside it.
 */
export function PersonName({ label }: { label: NameLabel }) {
  return (
    <>
      <bdi class="person-name">{label.name}</bdi>
      {label.tag !== null && <span class="person-name__tag">{` #${label.tag}`}</span>}
    </>
  );
}
