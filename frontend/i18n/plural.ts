/**
 * Plurals as data: a catalog gives one sentence per CLDR plural category its language uses
 * (English: one, other; Arabic: zero, one, two, few, many, other) and `choose` picks the one
 * Intl.PluralRules names for the count. "#" in the sentence is the count, written the language's way.
 */
export type PluralForms = { other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;

const rules = new Map<string, Intl.PluralRules>();

export function choose(locale: string, forms: PluralForms, count: number): string {
  let rule = rules.get(locale);
  if (!rule) {
    rule = new Intl.PluralRules(locale);
    rules.set(locale, rule);
  }
  const form = forms[rule.select(count)] ?? forms.other;
  return form.replaceAll("#", count.toLocaleString(locale));
}
