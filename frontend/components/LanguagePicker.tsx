/**
 * The language menu (home page and settings): each language under its own name, so anyone can
 * find theirs whatever the page speaks now. Picking one switches the page at once and is remembered.
 */
import { useId } from "preact/hooks";
import { currentLanguage, pickLanguage, t } from "../i18n/active";
import { LANGUAGES, matchLanguage } from "../i18n/languages";
import "./LanguagePicker.css";

export function LanguagePicker({ class: className }: { class?: string }) {
  const id = useId();
  const text = t();
  return (
    <div class={className ? `language ${className}` : "language"}>
      <label for={`${id}-language`}>{text.language}</label>
      <select
        id={`${id}-language`}
        value={currentLanguage()}
        onChange={(event) => {
          const language = matchLanguage(event.currentTarget.value);
          if (language) void pickLanguage(language);
        }}
      >
        {LANGUAGES.map((entry) => (
          <option key={entry.code} value={entry.code} lang={entry.code} dir={entry.dir}>
            {entry.name}
          </option>
        ))}
      </select>
    </div>
  );
}
