/**
 * A bound on what the peer may send us, written into the descriptions we send it. maxBitrate
 * (bitrate.ts) only bounds the peer's encoder; on a lossy link with room to spare libwebrtc adds
 * probing, padding and FEC on top of it, up to its bandwidth estimate. A bandwidth line on the
 * video section of a description is the one bound on that estimate the remote end honours:
 * Chromium takes `b=AS` (kbit/s) as the maximum of its send-side estimate, Firefox `b=TIAS`
 * (bit/s). Pure string work on the SDP, so it is tested on real descriptions.
 */

/** Both lines, in the order RFC 4566 wants them: after `i=` and `c=`, before `k=` and `a=`. */
function bandwidthLines(bps: number): string[] {
  return [`b=AS:${Math.max(1, Math.floor(bps / 1000))}`, `b=TIAS:${Math.floor(bps)}`];
}

/**
 * `sdp` with every video section bounded to `bps`, any bandwidth line it had replaced. Other
 * sections (audio, the data channels) and the session level are left as they are. A non-positive
 * or non-finite bound is an error: it would mean "send nothing", never what a caller wants.
 */
export function withVideoBandwidth(sdp: string, bps: number): string {
  if (!Number.isFinite(bps) || bps < 1000)
    throw new RangeError(`a video bandwidth bound must be ≥ 1000 bit/s, got ${bps}`);
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const lines = sdp.split(eol);
  const out: string[] = [];
  let inVideo = false;
  /** Where the bandwidth lines go in the current video section: after m=, i= and c=. */
  let insertAt = -1;
  const flush = () => {
    if (inVideo && insertAt >= 0) out.splice(insertAt, 0, ...bandwidthLines(bps));
    insertAt = -1;
  };
  for (const line of lines) {
    if (line.startsWith("m=")) {
      flush();
      inVideo = line.startsWith("m=video ");
      out.push(line);
      if (inVideo) insertAt = out.length;
      continue;
    }
    if (inVideo) {
      if (line.startsWith("b=")) continue;
      if ((line.startsWith("i=") || line.startsWith("c=")) && insertAt === out.length) {
        out.push(line);
        insertAt = out.length;
        continue;
      }
    }
    out.push(line);
  }
  flush();
  return out.join(eol);
}
