/**
 * The working half of intl-warm.ts: formats a number and picks a plural once, in the page's
 * renderer process but off its main thread, then says so. What it warms (the ICU data behind
 * Intl) is shared by every thread of the process, so the page's own first use is then instant.
 */
addEventListener("message", (event: MessageEvent<string>) => {
  const locale = event.data;
  try {
    (2).toLocaleString(locale);
    new Intl.PluralRules(locale).select(2);
    new Intl.PluralRules(locale, { type: "ordinal" }).select(2);
  } finally {
    postMessage(null);
  }
});
