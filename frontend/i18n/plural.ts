/**
 * Plurals as data: a catalog gives one sentence per CLDR plural category its language uses
 * (English: one, other; Arabic: zero, one, two, few, many, other) and `choose` picks the one
 * Intl.PluralRules names for the count. "#" in the sentence is the count, written the language's way.
 * Ordinals ("1st", "2nd") are the same kind of data under `ordinal`, picked by the ordinal rules
 * (English: one, two, few, other; most languages: other only), so no language's suffixes live in code.
 */
export type PluralForms = { other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;

/** Sentences for a place in a row ("Hand raised, #st"), one per ordinal category the language uses. */
export type OrdinalForms = { readonly ordinal: PluralForms };

const rules = new Map<string, Intl.PluralRules>();

function pick(locale: string, type: Intl.PluralRuleType, forms: PluralForms, count: number): string {
  const id = `${type}:${locale}`;
  let rule = rules.get(id);
  if (!rule) {
    rule = new Intl.PluralRules(locale, { type });
    rules.set(id, rule);
  }
  const form = forms[rule.select(count)] ?? forms.other;
  return form.replaceAll("#", count.toLocaleString(locale));
}

export function choose(locale: string, forms: PluralForms, count: number): string {
  return pick(locale, "cardinal", forms, count);
}

/** The sentence for the `place`th (1-based) in the language's ordinal form. */
export function chooseOrdinal(locale: string, forms: OrdinalForms, place: number): string {
  return pick(locale, "ordinal", forms.ordinal, place);
}
