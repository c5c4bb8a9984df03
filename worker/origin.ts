/**
 * Cross-site WebSocket hijacking defence: browsers always send Origin on a WebSocket
 * handshake and never let a page forge it, so a socket opened by another site's page is
 * recognised here. Requests without Origin are not from a browser page (CLI tools,
 * tests) and cannot ride on a visitor's browser, so they are let through.
 */
export function isAllowedOrigin(request: Request, allowedOrigins: string | undefined): boolean {
  const origin = request.headers.get("Origin");
  if (origin === null) return true;
  if (origin === new URL(request.url).origin) return true;
  return (allowedOrigins ?? "")
    .split(",")
    .map((s) => s.trim().replace(/\/$/, ""))
    .filter(Boolean)
    .includes(origin);
}
