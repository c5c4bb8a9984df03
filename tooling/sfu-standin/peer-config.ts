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
  };
}
