/**
 * How each stand-in session's werift peer connection is set up. The stand-in negotiates one video
 * codec (VP8) and one audio codec (Opus): forwarding then never has to translate between codecs,
 * only to rewrite payload type, SSRC and header extensions for each subscriber (published-track.ts).
 */
import {
  type PeerConfig,
  RTCRtpCodecParameters,
  useAbsSendTime,
  useFIR,
  useNACK,
  usePLI,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
} from "werift";

export function standinPeerConfig(): Partial<PeerConfig> {
  return {
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: "video/VP8",
          clockRate: 90_000,
          rtcpFeedback: [useNACK(), usePLI(), useFIR()],
        }),
      ],
      audio: [
        new RTCRtpCodecParameters({
          mimeType: "audio/opus",
          clockRate: 48_000,
          channels: 2,
        }),
      ],
    },
    // The RID extensions tell a simulcast track's layers apart.
    headerExtensions: {
      video: [useSdesMid(), useAbsSendTime(), useSdesRTPStreamId(), useRepairedRtpStreamId()],
      audio: [useSdesMid(), useAbsSendTime()],
    },
    // Loopback and the machine's own addresses only: the stand-in never leaves this host.
    iceUseIpv6: false,
    iceUseTcp: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceServers: [],
    // One ICE/DTLS transport for every m-line from the first offer on, as a Realtime session is one
    // WebRTC connection. Under werift's default (max-compat) each m-line of an offer gets a transport
    // of its own, and when the answer bundles them werift drops the extra ones without closing them:
    // their UDP sockets stayed open after close() and kept Vitest from exiting.
    bundlePolicy: "max-bundle",
  };
}
