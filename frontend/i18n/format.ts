/**
 * Filling a catalog sentence's {placeholders}: as a string (attributes, titles, announcements),
 * or as Preact children so that a person's name can stay an element of its own (<bdi>) inside the
 * sentence, wherever the language puts it.
 */
import type { ComponentChildren } from "preact";

type Values<T> = Readonly<Record<string, T>>;

const PLACEHOLDER = /\{(\w+)\}/g;

export function format(template: string, values: Values<string | number>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** The sentence as children: text between the placeholders, and each value (an element, often) in its place. */
export function fill(template: string, values: Values<ComponentChildren>): ComponentChildren[] {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (match.index > last) parts.push(template.slice(last, match.index));
    parts.push(name in values ? values[name] : match[0]);
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}
