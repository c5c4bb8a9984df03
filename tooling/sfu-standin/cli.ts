/**
 * `npm run sfu-standin`: the stand-in on its own for local development. Prints where it listens and
 * the app credentials to use; Ctrl-C stops it. Options come from the environment:
 * REALTIME_APP_ID and REALTIME_APP_SECRET (required: the same values the Worker is given, so the
 * secret is never printed), SFU_STANDIN_PORT (default 8788), SFU_STANDIN_TRACK_TIMEOUT_MS (default 30000).
 */
import { startSfuStandin } from "./start";

const env = process.env;
if (!env.REALTIME_APP_ID || !env.REALTIME_APP_SECRET) {
  console.error("sfu-standin: set REALTIME_APP_ID and REALTIME_APP_SECRET (any values; the Worker must use the same).");
  process.exit(2);
}
const standin = await startSfuStandin({
  port: Number(env.SFU_STANDIN_PORT ?? 8788),
  appId: env.REALTIME_APP_ID,
  appSecret: env.REALTIME_APP_SECRET,
  ...(env.SFU_STANDIN_TRACK_TIMEOUT_MS && { trackTimeoutMs: Number(env.SFU_STANDIN_TRACK_TIMEOUT_MS) }),
});
console.log(`SFU stand-in: ${standin.apiBase}/apps/${standin.appId}/sessions/new`);
console.log("  bearer: the REALTIME_APP_SECRET from the environment");
const stop = () => {
  standin.stop().finally(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
