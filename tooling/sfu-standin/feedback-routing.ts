/**
 * Picture-loss requests (PLI, FIR) delivered to the stream they are about.
 *
 * werift hands an incoming payload-specific feedback packet to whatever its SSRC table holds for
 * the packet's *sender* SSRC, and looks at the media SSRC only when the sender's is unknown
 * (werift 0.25 `RtpRouter.routeRtcp`). A browser that publishes on the same connection it pulls on
 * sends its feedback from its own sending SSRC, which the stand-in knows as one of its receivers:
 * every picture-loss request of such a subscriber went to that receiver, which ignores it. A
 * subscriber that lost the first keyframe of a pulled track then never got another (found in
 * sfu-call.test.ts: a newcomer received one member's video for a minute without one frame, while
 * its browser asked for a keyframe seven times a second). The media source SSRC names the stream
 * the feedback is about (RFC 4585 §6.1), so that is where it goes, as with a real SFU.
 */
import type { RTCPeerConnection } from "werift";

/** REMB is payload-specific feedback too, but about the connection, not a stream: werift's own routing suits it. */
const REMB_FORMAT = 15;
const PAYLOAD_SPECIFIC_FEEDBACK = 206;

interface FeedbackPacket {
  type: number;
  feedback?: { count?: number; mediaSsrc?: number };
}

interface RtcpRecipient {
  handleRtcpPacket(packet: unknown): void;
}

interface Router {
  ssrcTable: Record<number, RtcpRecipient | undefined>;
  routeRtcp(packet: unknown): void;
}

/** Makes `pc` deliver picture-loss feedback by media SSRC. Throws if werift's router is not what this expects (an upgrade). */
export function routeFeedbackByMediaSsrc(pc: RTCPeerConnection): void {
  const router = (pc as unknown as { router?: Partial<Router> }).router;
  if (!router || typeof router.routeRtcp !== "function" || typeof router.ssrcTable !== "object")
    throw new Error("werift's RTP router changed: see tooling/sfu-standin/feedback-routing.ts");
  const table = router.ssrcTable;
  const route = router.routeRtcp.bind(router);
  router.routeRtcp = (packet: unknown) => {
    const { type, feedback } = packet as FeedbackPacket;
    if (type === PAYLOAD_SPECIFIC_FEEDBACK && feedback && feedback.count !== REMB_FORMAT) {
      const about = feedback.mediaSsrc === undefined ? undefined : table[feedback.mediaSsrc];
      if (about) {
        about.handleRtcpPacket(packet);
        return;
      }
    }
    route(packet);
  };
}
