/**
 * `npm run sfu-standin`: the stand-in on its own for local development. Prints where it listens and
 * the app credentials to use; Ctrl-C stops it. Options come from the environment:
 * SFU_STANDIN_PORT (default 8788), REALTIME_APP_ID / REALTIME_APP_SECRET (random if unset),
 * SFU_STANDIN_TRACK_TIMEOUT_MS (default 30000).
 */
import { startSfuStandin } from "./start";

const env = process.env;
const standin = await startSfuStandin({
  port: Number(env.SFU_STANDIN_PORT ?? 8788),
  ...(env.REALTIME_APP_ID && { appId: env.REALTIME_APP_ID }),
  ...(env.REALTIME_APP_SECRET && { appSecret: env.REALTIME_APP_SECRET }),
  ...(env.SFU_STANDIN_TRACK_TIMEOUT_MS && { trackTimeoutMs: Number(env.SFU_STANDIN_TRACK_TIMEOUT_MS) }),
});
console.log(`SFU stand-in: ${standin.apiBase}/apps/${standin.appId}/sessions/new`);
console.log(`  REALTIME_APP_ID=${standin.appId}`);
// Printed once, on the developer's own terminal: it is a throwaway local secret, not a production one.
console.log(`  REALTIME_APP_SECRET=${standin.appSecret}`);
const stop = () => {
  standin.stop().finally(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
