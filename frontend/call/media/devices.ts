import * as v from "valibot";
import { readSetting, writeSetting } from "../../services/storage";

export type InputKind = "audioinput" | "videoinput";
export type DeviceKind = InputKind | "audiooutput";

export interface DeviceOption {
  readonly id: string;
  readonly label: string;
}

export type DeviceList = Readonly<Record<DeviceKind, readonly DeviceOption[]>>;

/** The device picked for each kind; missing means "whatever the system prefers". */
export type DeviceChoice = Readonly<Partial<Record<DeviceKind, string>>>;

export const NO_DEVICES: DeviceList = { audioinput: [], videoinput: [], audiooutput: [] };

const DEVICES_KEY = "natter:devices";
const DeviceId = v.optional(v.pipe(v.string(), v.maxLength(512)));
const StoredChoice = v.object({ audioinput: DeviceId, videoinput: DeviceId, audiooutput: DeviceId });

/**
 * Device ids are stable per site on this device, so a remembered camera is found again on the
 * next visit; one that is gone is only `ideal`, never `exact` (see LocalMedia), and falls back.
 */
export function loadDeviceChoice(): DeviceChoice {
  try {
    const parsed = v.safeParse(StoredChoice, JSON.parse(readSetting(DEVICES_KEY) ?? "{}"));
    return parsed.success ? stripUndefined(parsed.output) : {};
  } catch {
    return {};
  }
}

export function saveDeviceChoice(choice: DeviceChoice): void {
  writeSetting(DEVICES_KEY, JSON.stringify(choice));
}

const FALLBACK_LABEL: Record<DeviceKind, string> = {
  audioinput: "Microphone",
  videoinput: "Camera",
  audiooutput: "Speaker",
};

/**
 * Groups what enumerateDevices() reports. Browsers hide labels until a permission is granted and
 * Chromium lists "default" and "communications" aliases of real devices; both are kept, since the
 * alias is what follows the system's choice, but every entry gets a label people can read.
 */
export function listDevices(infos: readonly MediaDeviceInfo[]): DeviceList {
  const list: Record<DeviceKind, DeviceOption[]> = { audioinput: [], videoinput: [], audiooutput: [] };
  for (const info of infos) {
    const kind = info.kind as DeviceKind;
    const group = list[kind];
    // An empty id means the browser hides the device until a permission is granted: nothing to pick yet.
    if (!group || info.deviceId === "" || group.some((d) => d.id === info.deviceId)) continue;
    group.push({ id: info.deviceId, label: info.label || `${FALLBACK_LABEL[kind]} ${group.length + 1}` });
  }
  return list;
}

/** Choosing where sound plays needs HTMLMediaElement.setSinkId (Chromium, Firefox; not Safari). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
}

function stripUndefined(choice: Partial<Record<DeviceKind, string | undefined>>): DeviceChoice {
  return Object.fromEntries(Object.entries(choice).filter(([, id]) => id !== undefined));
}
