/**
 * A subscriber's request for a keyframe reaches the publisher, as it does through Cloudflare's SFU
 * (a subscriber that lost a keyframe would otherwise never show a picture). The case that matters
 * is a subscriber that also publishes on its connection, as every natter page does: browsers send
 * their feedback from their own sending SSRC, which werift on its own routed to the stand-in's
 * receiver of that track (tooling/sfu-standin/feedback-routing.ts). Real ICE, DTLS and SRTP on
 * loopback with werift endpoints; counts, never timings, are asserted.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PictureLossIndication, RtcpPayloadSpecificFeedback } from "werift";
import { type SfuStandin, startSfuStandin } from "../../tooling/sfu-standin/start";
import { RealtimeApi } from "./support/api";
import { Endpoint, until } from "./support/endpoint";

const RFC_4585 = "https://www.rfc-editor.org/rfc/rfc4585#section-6.1";

describe(`picture-loss feedback (${RFC_4585}: the media source SSRC names the stream it is about)`, () => {
  let standin: SfuStandin;
  let api: RealtimeApi;
  const endpoints: Endpoint[] = [];
  beforeAll(async () => {
    standin = await startSfuStandin();
    api = new RealtimeApi(standin);
  });
  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((e) => e.close()));
  });
  afterAll(async () => {
    await standin?.stop();
  });

  async function endpoint(): Promise<Endpoint> {
    const created = await Endpoint.create(api);
    endpoints.push(created);
    return created;
  }

  it("passes a PLI from a subscriber that also publishes, sent from its own sending SSRC, on to the publisher", async () => {
    const publisher = await endpoint();
    const cameraMid = await publisher.publish("camera");
    const camera = publisher.pc.getTransceivers().find((t) => t.mid === cameraMid);
    let plis = 0;
    camera?.sender.onPictureLossIndication.subscribe(() => {
      plis++;
    });

    const subscriber = await endpoint();
    const ownMid = await subscriber.publish("own-camera");
    const own = subscriber.pc.getTransceivers().find((t) => t.mid === ownMid);
    const [pulledMid = ""] = await subscriber.pull([{ sessionId: publisher.sessionId, trackName: "camera" }]);
    await until("forwarded packets", () => (subscriber.received.get(pulledMid) ?? 0) > 10);
    // The stand-in asks for a keyframe itself when a subscription starts; those are not the subscriber's.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = plis;

    const pulled = subscriber.pc.getTransceivers().find((t) => t.mid === pulledMid);
    const mediaSsrc = subscriber.ssrcs.get(pulledMid);
    if (!own || !pulled || mediaSsrc === undefined) throw new Error("the endpoints are not set up");
    const pli = new RtcpPayloadSpecificFeedback({
      feedback: new PictureLossIndication({ senderSsrc: own.sender.ssrc, mediaSsrc }),
    });
    for (let i = 0; i < 3; i++) await pulled.receiver.dtlsTransport.sendRtcp([pli]);
    await until("the publisher to get the subscriber's PLI", () => plis > before, 5_000);
    expect(plis).toBeGreaterThan(before);
  });
});
