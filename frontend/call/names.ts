import { foldName } from "../../common/display-name-rules";

/**
 * How a person's name is shown: the name as they chose it, and, when someone else in view has the
 * same name, a short tag from their peer id ("Alex #3f2a"), so that "Locked by Alex" can never be
 * pinned on the wrong Alex. The tag is the interface's own text: views draw it outside the name's
 * bidi isolate, and the room refuses names that end like one (display-name-rules.ts).
 */
export interface NameLabel {
  readonly name: string;
  readonly tag: string | null;
}

export interface Named {
  readonly id: string;
  readonly name: string;
}

/** The fewest hex digits of a peer id shown in a tag; more only if two tags would still match. */
export const MIN_TAG_LENGTH = 4;

/**
 * Labels for everyone a view may mention: the people in the call, ourselves, people knocking,
 * and those who are gone but still named on screen (chat senders, whoever locked). Names that read
 * the same (case, full-width forms and spacing aside) get tags; a tag is a prefix of the peer id,
 * so it is the same on every screen and stays put while people come and go.
 */
export function labelPeople(people: Iterable<Named>): Map<string, NameLabel> {
  const byId = new Map<string, string>();
  for (const person of people) if (!byId.has(person.id)) byId.set(person.id, person.name);
  const groups = new Map<string, string[]>();
  for (const [id, name] of byId) {
    const key = foldName(name);
    const group = groups.get(key);
    if (group) group.push(id);
    else groups.set(key, [id]);
  }
  const labels = new Map<string, NameLabel>();
  for (const ids of groups.values()) {
    const length = ids.length > 1 ? tagLength(ids) : 0;
    for (const id of ids) labels.set(id, { name: byId.get(id) ?? "", tag: length > 0 ? id.slice(0, length) : null });
  }
  return labels;
}

/** A label as plain text, for accessible names and announcements: "Alex #3f2a". */
export function labelText(label: NameLabel): string {
  return label.tag === null ? label.name : `${label.name} #${label.tag}`;
}

/** The label for `id`, or the bare name when the view does not know that peer. */
export function labelFor(labels: ReadonlyMap<string, NameLabel>, id: string | null, name: string): NameLabel {
  return (id !== null && labels.get(id)) || { name, tag: null };
}

function tagLength(ids: readonly string[]): number {
  for (let length = MIN_TAG_LENGTH; length < 32; length++) {
    if (new Set(ids.map((id) => id.slice(0, length))).size === ids.length) return length;
  }
  return 32;
}
