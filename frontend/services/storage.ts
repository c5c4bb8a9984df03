/**
 * Settings remembered on this device (name, devices, sounds). localStorage throws when the
 * person blocks site data, and writing throws when it is full: a setting that cannot be kept is
 * simply not kept, it never breaks the call.
 */
export function readSetting(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function writeSetting(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Blocked or full: forgetting a preference is harmless.
  }
}
