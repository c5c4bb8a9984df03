/**
 * Which camera, microphone and speaker this device picked last time. Its own small module, free
 * of the schema library, because the page's first module reads it (to start the camera early,
 * see early-capture.ts) and that module rides in the home page's bundle too.
 */
import { readSetting, writeSetting } from "../../services/storage";

export type InputKind = "audioinput" | "videoinput";
export type DeviceKind = InputKind | "audiooutput";

/** The device picked for each kind; missing means "whatever the system prefers". */
export type DeviceChoice = Readonly<Partial<Record<DeviceKind, string>>>;

const DEVICES_KEY = "natter:devices";
const KINDS: readonly DeviceKind[] = ["audioinput", "videoinput", "audiooutput"];
const MAX_DEVICE_ID_LENGTH = 512;

/**
 * Device ids are stable per site on this device, so a remembered camera is found again on the
 * next visit; one that is gone is only `ideal`, never `exact` (see constraints.ts), and falls back.
 * Anything odd in storage (not JSON, a field that is not a short string) means no choice at all.
 */
export function loadDeviceChoice(): DeviceChoice {
  let stored: unknown;
  try {
    stored = JSON.parse(readSetting(DEVICES_KEY) ?? "{}");
  } catch {
    return {};
  }
  if (typeof stored !== "object" || stored === null || Array.isArray(stored)) return {};
  const choice: Partial<Record<DeviceKind, string>> = {};
  for (const kind of KINDS) {
    const id: unknown = (stored as Record<string, unknown>)[kind];
    if (id === undefined) continue;
    if (typeof id !== "string" || id.length > MAX_DEVICE_ID_LENGTH) return {};
    choice[kind] = id;
  }
  return choice;
}

export function saveDeviceChoice(choice: DeviceChoice): void {
  writeSetting(DEVICES_KEY, JSON.stringify(choice));
}
