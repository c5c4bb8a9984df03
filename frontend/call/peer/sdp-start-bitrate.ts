/**
 * Where our video starts. libwebrtc starts every video sender at a 300 kbit/s estimate, and its
 * encoder then drops the first frames of a 960×540 camera (too big for that rate) before it
 * settles on a smaller size: measured here, the first frame reached the other side ~220 ms after
 * the connection was up, against ~110 ms when the sender starts at 600 kbit/s. Chromium reads the
 * start from `x-google-start-bitrate` (kbit/s) on the codecs of the description it applies as the
 * remote one, so we write it into the peer's descriptions, as we do the bandwidth bound
 * (sdp-bandwidth.ts). Other browsers ignore the parameter. Pure string work on the SDP.
 */

/** Twice libwebrtc's default: enough for a 640×360 first frame, modest for a weak uplink. */
export const START_BITRATE_BPS = 600_000;

/** Video codecs proper; retransmission and error-correction payloads take no start rate. */
const MEDIA_CODECS = new Set(["vp8", "vp9", "av1", "h264", "h265"]);
const PARAMETER = "x-google-start-bitrate";

/**
 * `sdp` with every video codec of every video section starting at `bps` (rounded down to
 * kbit/s): an existing fmtp line gets the parameter (replacing an older value), a codec without
 * one gets a line of its own after its rtpmap. Browsers order those lines differently (Firefox
 * puts fmtp first), so each section is read whole before it is changed. Everything else is left
 * byte for byte.
 */
export function withVideoStartBitrate(sdp: string, bps: number): string {
  if (!Number.isFinite(bps) || bps < 1000) throw new RangeError(`a start bitrate must be ≥ 1000 bit/s, got ${bps}`);
  const kbps = Math.floor(bps / 1000);
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const sections: string[][] = [[]];
  for (const line of sdp.split(eol)) {
    if (line.startsWith("m=")) sections.push([]);
    sections[sections.length - 1]?.push(line);
  }
  return sections.flatMap((lines) => (lines[0]?.startsWith("m=video ") ? startVideo(lines, kbps) : lines)).join(eol);
}

function startVideo(lines: readonly string[], kbps: number): string[] {
  const media = new Set<string>();
  for (const line of lines) {
    const rtpmap = line.match(/^a=rtpmap:(\d+) ([^/]+)\//);
    if (rtpmap?.[1] !== undefined && MEDIA_CODECS.has(rtpmap[2]?.toLowerCase() ?? "")) media.add(rtpmap[1]);
  }
  const withFmtp = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const fmtp = line.match(/^a=fmtp:(\d+) (.*)$/);
    if (fmtp?.[1] !== undefined && media.has(fmtp[1])) {
      withFmtp.add(fmtp[1]);
      const others = (fmtp[2] ?? "").split(";").filter((p) => p.trim() !== "" && !p.trim().startsWith(`${PARAMETER}=`));
      out.push(`a=fmtp:${fmtp[1]} ${[...others, `${PARAMETER}=${kbps}`].join(";")}`);
    } else {
      out.push(line);
    }
  }
  // Codecs with no fmtp line get one right after their rtpmap.
  return out.flatMap((line) => {
    const pt = line.match(/^a=rtpmap:(\d+) /)?.[1];
    return pt !== undefined && media.has(pt) && !withFmtp.has(pt)
      ? [line, `a=fmtp:${pt} ${PARAMETER}=${kbps}`]
      : [line];
  });
}
