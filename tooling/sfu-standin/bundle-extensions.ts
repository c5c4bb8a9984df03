/**
 * Header extension ids for a track the stand-in starts sending on a session that already carries
 * others. In one BUNDLE group an id must mean one extension in every m-section, or Chromium
 * refuses the whole offer ("A BUNDLE group contains a codec collision for header extension id=4").
 * werift numbers its configured extensions itself (audio's, then video's, from 1), while the
 * m-sections a browser published carry the browser's own numbers (Chromium: sdes:mid is 4, where
 * werift's video list puts abs-send-time). A session that publishes and then pulls mixes the two,
 * so a pulled track reuses the number the session already gives each extension and takes a free
 * one for any it has not seen.
 */
import { RTCRtpHeaderExtensionParameters } from "werift";

/** One-byte header extension ids are 1 to 14. */
const MAX_ID = 14;

export function bundleConsistentExtensions(
  existing: readonly (readonly RTCRtpHeaderExtensionParameters[])[],
  wanted: readonly RTCRtpHeaderExtensionParameters[],
): RTCRtpHeaderExtensionParameters[] {
  const idOf = new Map<string, number>();
  const taken = new Set<number>();
  for (const list of existing)
    for (const { uri, id } of list) {
      if (!idOf.has(uri)) idOf.set(uri, id);
      taken.add(id);
    }
  const out: RTCRtpHeaderExtensionParameters[] = [];
  for (const { uri } of wanted) {
    let id = idOf.get(uri);
    if (id === undefined) {
      id = 1;
      while (taken.has(id) && id <= MAX_ID) id++;
      // No number left: this extension is not offered (forwarding does not need it).
      if (id > MAX_ID) continue;
      idOf.set(uri, id);
      taken.add(id);
    }
    out.push(new RTCRtpHeaderExtensionParameters({ uri, id }));
  }
  return out;
}
