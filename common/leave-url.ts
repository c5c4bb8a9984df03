/**
 * The page shown after leaving a call, when the operator sets LEAVE_URL: only an absolute
 * http(s) address, without credentials, within a sane length. Checked by the Worker before it
 * hands the address out, and again by the page before it goes there, so a mistyped or hostile
 * value (javascript:, data:, a relative path) can never run script or point somewhere odd;
 * anything else means "no leave page", and the page shows its own Left page instead.
 */

export const MAX_LEAVE_URL_LENGTH = 2048;

/** The address to go to after leaving, normalized, or null when `raw` is empty or not allowed. */
export function safeLeaveUrl(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const text = raw.trim();
  if (text === "" || text.length > MAX_LEAVE_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username !== "" || url.password !== "") return null;
  return url.href;
}
