/** The devices this browser can see, as lists people can pick from. */
import type { DeviceKind } from "./device-choice";

export type { DeviceChoice, DeviceKind, InputKind } from "./device-choice";

export interface DeviceOption {
  readonly id: string;
  readonly label: string;
}

export type DeviceList = Readonly<Record<DeviceKind, readonly DeviceOption[]>>;

export const NO_DEVICES: DeviceList = { audioinput: [], videoinput: [], audiooutput: [] };

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
