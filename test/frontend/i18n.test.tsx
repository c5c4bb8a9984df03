import { act, fireEvent, render, screen, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { findNameProblem, foldName, RESERVED_NAMES, RESERVED_SUFFIXES } from "../../common/display-name-rules";
import { ChatPanel } from "../../frontend/components/ChatPanel";
import { LockedPanel } from "../../frontend/components/LockedPanel";
import { ShortcutList } from "../../frontend/components/ShortcutList";
import { currentLanguage, useCatalog } from "../../frontend/i18n/active";
import { ar } from "../../frontend/i18n/ar";
import { de } from "../../frontend/i18n/de";
import { type Catalog, en } from "../../frontend/i18n/en";
import { es } from "../../frontend/i18n/es";
import { format } from "../../frontend/i18n/format";
import { fr } from "../../frontend/i18n/fr";
import { ja } from "../../frontend/i18n/ja";
import { chooseLanguage, LANGUAGE_STORAGE_KEY, LANGUAGES, type Language } from "../../frontend/i18n/languages";
import { choose, chooseOrdinal, type OrdinalForms, type PluralForms } from "../../frontend/i18n/plural";
import { ptBR } from "../../frontend/i18n/pt-BR";
import { Home } from "../../frontend/pages/Home";
import { fakeCall, peerA, peerB } from "./fake-call";
import { prefetchOnDemand, renderRoomView, tileOf } from "./render-views";

const CATALOGS: Record<Language, Catalog> = { en, de, fr, es, "pt-BR": ptBR, ja, ar };
const COUNTS = [0, 1, 2, 5, 11, 100];
/**
 * Entries that are rightly the same as English in a language ("Chat" is German too). Anything
 * else identical to English is an untranslated copy: translate it, or, if the words really are the
 * same, add the key here.
 */
const SAME_AS_ENGLISH: Record<Exclude<Language, "en">, readonly (keyof Catalog)[]> = {
  de: ["withShortcut", "chat", "percent"],
  fr: ["withShortcut", "participants", "volume", "reactionSurprise", "messages"],
  es: ["withShortcut", "fps", "percent"],
  "pt-BR": ["withShortcut", "volume"],
  ja: ["fps"],
  ar: ["withShortcut"],
};

const isOrdinal = (value: unknown): value is OrdinalForms =>
  typeof value === "object" && value !== null && "ordinal" in value;
const isPlural = (value: unknown): value is PluralForms =>
  typeof value === "object" && value !== null && !isOrdinal(value);
/** Places that hit every ordinal category of the seven languages (English 1st, 2nd, 3rd, 4th, 11th–13th, 21st…). */
const PLACES = [1, 2, 3, 4, 5, 11, 12, 13, 21, 22, 23, 101];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("the catalogs", () => {
  it("cover every language the menu offers", () => {
    expect(Object.keys(CATALOGS).sort()).toEqual(LANGUAGES.map((language) => language.code).sort());
  });

  for (const [language, catalog] of Object.entries(CATALOGS)) {
    it(`${language} has exactly English's keys, each of the same kind, with the same placeholders`, () => {
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
      for (const [key, english] of Object.entries(en)) {
        const translated = catalog[key as keyof Catalog];
        expect(typeof translated, `${language}.${key}`).toBe(typeof english);
        if (typeof english === "string" && typeof translated === "string") {
          expect(translated.trim(), `${language}.${key}`).not.toBe("");
          expect(placeholders(translated), `${language}.${key}`).toEqual(placeholders(english));
        }
      }
    });

    if (language !== "en") {
      it(`${language} copies no English entry, beyond the words that are the same in ${language}`, () => {
        const copied = (Object.keys(en) as (keyof Catalog)[]).filter(
          (key) => key !== "locale" && JSON.stringify(catalog[key]) === JSON.stringify(en[key]),
        );
        expect(copied).toEqual(SAME_AS_ENGLISH[language as Exclude<Language, "en">]);
      });
    }

    it(`${language} has a sentence for every plural category its language uses, for 0, 1, 2, 5, 11 and 100`, () => {
      const rules = new Intl.PluralRules(catalog.locale);
      for (const [key, forms] of Object.entries(catalog)) {
        if (!isPlural(forms)) continue;
        for (const count of COUNTS) {
          const category = rules.select(count);
          // A category the language uses must have its own sentence, not fall back to "other".
          expect(forms[category], `${language}.${key} for ${count} (${category})`).toBeDefined();
          const sentence = choose(catalog.locale, forms, count);
          expect(sentence).not.toContain("#");
          // Either the number, written the language's way, or a form that says it in words (Arabic "two").
          if (forms[category]?.includes("#")) expect(sentence).toContain(count.toLocaleString(catalog.locale));
        }
      }
    });
  }

  for (const [language, catalog] of Object.entries(CATALOGS)) {
    it(`${language} has a sentence for every ordinal category its language uses (a place in a row)`, () => {
      const rules = new Intl.PluralRules(catalog.locale, { type: "ordinal" });
      for (const [key, forms] of Object.entries(catalog)) {
        if (!isOrdinal(forms)) continue;
        for (const place of PLACES) {
          const category = rules.select(place);
          expect(forms.ordinal[category], `${language}.${key} for ${place} (${category})`).toBeDefined();
          const sentence = chooseOrdinal(catalog.locale, forms, place);
          expect(sentence).not.toContain("#");
          expect(sentence).toContain(place.toLocaleString(catalog.locale));
        }
      }
    });
  }

  it("says a raised hand's place the way each language counts places", () => {
    const place = (catalog: Catalog, n: number) => chooseOrdinal(catalog.locale, catalog.handRaisedPlace, n);
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map((n) => place(en, n))).toEqual(
      ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"].map(
        (o) => `Hand raised, ${o}`,
      ),
    );
    expect([place(fr, 1), place(fr, 2), place(fr, 21)]).toEqual([
      "Main levée, 1re dans la file",
      "Main levée, 2e dans la file",
      "Main levée, 21e dans la file",
    ]);
    expect(place(de, 3)).toBe("Hand gehoben, an 3. Stelle");
    expect(place(ja, 2)).toBe("挙手中（2番目）");
  });

  it("gives Arabic all six forms, and picks each where Arabic grammar does", () => {
    const forms = ar.peopleInCall;
    expect(Object.keys(forms).sort()).toEqual(["few", "many", "one", "other", "two", "zero"]);
    // Digits as the platform writes Arabic numbers (ICU's choice: Latin or Arabic-Indic).
    const n = (count: number) => count.toLocaleString("ar");
    expect(COUNTS.map((count) => choose("ar", forms, count))).toEqual([
      "لا أحد في المكالمة",
      "شخص واحد في المكالمة",
      "شخصان في المكالمة",
      `${n(5)} أشخاص في المكالمة`,
      `${n(11)} شخصًا في المكالمة`,
      `${n(100)} شخص في المكالمة`,
    ]);
  });

  it("says English's plurals in English", () => {
    expect(choose("en", en.peopleInCall, 1)).toBe("1 person in the call");
    expect(choose("en", en.peopleInCall, 1000)).toBe("1,000 people in the call");
  });
});

describe("names that would pass for the interface's own words", () => {
  it("are refused in every language: the self tile's suffix and the word shown for oneself", () => {
    for (const [language, catalog] of Object.entries(CATALOGS)) {
      const suffix = foldName(format(catalog.selfCaption, { name: "" })).replace(/\s+/gu, "");
      expect(RESERVED_SUFFIXES as readonly string[], language).toContain(suffix);
      const you = foldName(catalog.you);
      // German "Du" is also a family name; its "(du)" suffix is still refused.
      if (language !== "de") expect(RESERVED_NAMES as readonly string[], language).toContain(you);
    }
    expect(findNameProblem("Eva (du)")).toEqual({ rule: "reserved", ending: "(du)" });
    expect(findNameProblem("Eva（自分）")).toEqual({ rule: "reserved", ending: "(自分)" });
    expect(findNameProblem("Du")).toBeNull();
  });
});

describe("choosing the language", () => {
  const none = { query: null, remembered: null, preferred: [] };

  it("takes ?lang= over the remembered choice, that over the browser's, and falls back to English", () => {
    expect(chooseLanguage({ query: "de", remembered: "fr", preferred: ["ja"] })).toBe("de");
    expect(chooseLanguage({ ...none, remembered: "fr", preferred: ["ja"] })).toBe("fr");
    expect(chooseLanguage({ ...none, preferred: ["ja"] })).toBe("ja");
    expect(chooseLanguage(none)).toBe("en");
  });

  it("matches regional and differently written tags, and skips what it does not speak", () => {
    expect(chooseLanguage({ ...none, preferred: ["de-AT"] })).toBe("de");
    expect(chooseLanguage({ ...none, preferred: ["pt-PT"] })).toBe("pt-BR");
    expect(chooseLanguage({ ...none, preferred: ["PT-br"] })).toBe("pt-BR");
    expect(chooseLanguage({ ...none, preferred: ["ar-EG"] })).toBe("ar");
    expect(chooseLanguage({ ...none, preferred: ["nl-NL", "fr-CA"] })).toBe("fr");
    expect(chooseLanguage({ query: "xx", remembered: "klingon", preferred: ["sv"] })).toBe("en");
  });
});

describe("the views in another language", () => {
  it("draws the home page in German, and says so on the document", () => {
    useCatalog("de", de);
    render(<Home suggestName={async () => null} />);
    expect(screen.getByLabelText("Raumname")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Beitreten" })).toBeTruthy();
    expect(document.documentElement.lang).toBe("de");
    expect(document.documentElement.dir).toBe("ltr");
    // The count of suggested names is written in German too.
    expect(document.body.textContent).toContain("Billionen");
  });

  it("switches the page and remembers the choice from the menu", async () => {
    render(<Home suggestName={async () => null} />);
    expect(screen.getByRole("button", { name: "Join" })).toBeTruthy();
    await act(async () => {
      fireEvent.change(screen.getByLabelText("Language"), { target: { value: "ar" } });
      // The catalog is a chunk of its own: let its import settle.
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(currentLanguage()).toBe("ar");
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe("ar");
    expect(screen.getByRole("button", { name: "انضمام" })).toBeTruthy();
    expect(document.documentElement.dir).toBe("rtl");
    localStorage.removeItem(LANGUAGE_STORAGE_KEY);
  });

  it("counts wrong-key tries left in Arabic, with its plural forms", () => {
    useCatalog("ar", ar);
    const access = { state: "wrong-key", triesLeft: 2 } as const;
    const { rerender } = render(<LockedPanel access={access} onSubmitKey={() => null} onKnock={() => {}} />);
    expect(screen.getByRole("status").textContent).toBe("المفتاح غير صحيح. بقيت محاولتان قبل أن يبدأ الانتظار.");
    rerender(<LockedPanel access={{ ...access, triesLeft: 3 }} onSubmitKey={() => null} onKnock={() => {}} />);
    expect(screen.getByRole("status").textContent).toBe(
      `المفتاح غير صحيح. بقيت ${(3).toLocaleString("ar")} محاولات قبل أن يبدأ الانتظار.`,
    );
  });

  it("writes the call's header and a chat time in German", () => {
    useCatalog("de", de);
    const call = fakeCall({ status: "joined" });
    renderRoomView(call);
    expect(screen.getByRole("button", { name: "Anruf verlassen" })).toBeTruthy();
    expect(screen.getByText(/Warte auf andere/)).toBeTruthy();
  });

  it("says hands, reactions, the people list and the view buttons in German", async () => {
    await prefetchOnDemand();
    useCatalog("de", de);
    const self = "0".repeat(32);
    const call = fakeCall({ peers: [peerA, { ...peerB, audio: false, screen: true }] });
    call.hands.value = [peerB.id, self];
    renderRoomView(call);
    expect(within(tileOf("Linus")).getByRole("img", { name: "Hand gehoben, an 1. Stelle" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Hand senken" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sprecheransicht" }).title).toBe("Sprecheransicht (L)");
    fireEvent.click(screen.getByRole("button", { name: "Reaktionen" }));
    expect(screen.getByRole("button", { name: "Mit Konfetti reagieren" }).title).toBe("Konfetti (5)");

    fireEvent.click(screen.getByRole("button", { name: "Teilnehmende" }));
    const panel = await screen.findByRole("region", { name: "Teilnehmende (3)" });
    const [linus, us] = within(panel).getAllByTestId("person");
    expect(linus?.textContent).toContain("Hand gehoben, an 1. Stelle");
    expect(linus?.textContent).toContain("Stumm");
    expect(linus?.textContent).toContain("Teilt den Bildschirm");
    expect(us?.textContent).toContain("Ada (du)");
    expect(within(panel).getByRole("button", { name: "Hand von Linus senken" })).toBeTruthy();
    expect(within(panel).getByRole("button", { name: "Eigene Hand senken" })).toBeTruthy();
    expect(within(panel).getByRole("button", { name: "Grace aus dem Anruf entfernen" })).toBeTruthy();

    await act(() => {
      call.hands.value = [peerB.id];
      call.reactions.value = [{ key: 1, from: peerA.id, emoji: "❤️" }];
    });
    expect(screen.getByTestId("etiquette-news").textContent).toBe(
      "Du hast die Hand gesenkt. Grace hat mit Herz reagiert.",
    );
  });

  it("names each reaction in the shortcut list, in the active language", () => {
    render(<ShortcutList />);
    expect(screen.getByText(/React with 👍 \(thumbs up\)/)).toBeTruthy();
    useCatalog("ja", ja);
    render(<ShortcutList />);
    expect(screen.getByText(/🎉（お祝い）でリアクション/)).toBeTruthy();
  });

  it("formats chat times in the active language", () => {
    useCatalog("de", de);
    const at = new Date(2026, 0, 2, 14, 5).getTime();
    render(
      <ChatPanel
        messages={[{ id: 1, from: "a", name: "Ada", text: "Hallo", at }]}
        onSend={() => null}
        onClose={() => {}}
      />,
    );
    expect(screen.getByText("14:05")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Chat" })).toBeTruthy();
    expect(screen.getByPlaceholderText("Nachricht an alle")).toBeTruthy();
  });
});
