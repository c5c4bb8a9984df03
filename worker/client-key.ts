/**
 * The key a client is rate-limited under. Cloudflare sets CF-Connecting-IP; the limiter
 * only needs a stable key, so it gets a hash, and the address itself is never kept.
 */
export async function clientKey(request: Request): Promise<string> {
  const address = request.headers.get("CF-Connecting-IP") ?? "local";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`natter-client:${address}`));
  return [...new Uint8Array(digest, 0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
