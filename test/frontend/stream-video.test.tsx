/**
 * What each <video> is given. A muted one (our own preview, a camera in a corner) gets the
 * picture only: Chromium runs every audio track of a srcObject through the element, muted or not,
 * which costs CPU for sound nobody hears. The one that plays a person's sound keeps it.
 */
import { act, render, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { StreamVideo } from "../../frontend/components/StreamVideo";
import { fakeCall, peerA } from "./fake-call";
import { fakeMedia, fakeTrack } from "./fake-media";
import { renderHairCheck, renderRoomView, tileOf } from "./render-views";

const shown = (video: HTMLVideoElement | null | undefined) => video?.srcObject as MediaStream | null | undefined;
const kinds = (video: HTMLVideoElement | null | undefined) =>
  shown(video)
    ?.getTracks()
    .map((track) => track.kind);

describe("a muted video", () => {
  it("previews only the camera in the hair check, not the microphone", () => {
    const media = fakeMedia();
    renderHairCheck(media);
    const video = screen.getByTestId("preview").querySelector("video");
    expect(video?.muted).toBe(true);
    expect(shown(video)?.getVideoTracks()).toEqual([media.videoTrack.value]);
    expect(kinds(video)).toEqual(["video"]);
  });

  it("shows only our camera in our own tile, and in its corner while we share a screen", async () => {
    const call = fakeCall();
    const camera = fakeTrack("video");
    call.localStream.value = new MediaStream([fakeTrack("audio"), camera]);
    renderRoomView(call);
    const self = screen.getByTestId("self-tile");
    expect(shown(self.querySelector("video"))?.getVideoTracks()).toEqual([camera]);
    expect(kinds(self.querySelector("video"))).toEqual(["video"]);

    const screenTrack = fakeTrack("video");
    await act(() => {
      call.screenStream.value = new MediaStream([screenTrack, fakeTrack("audio")]);
    });
    const [main, corner] = self.querySelectorAll("video");
    expect(shown(main)?.getTracks()).toEqual([screenTrack]);
    expect(shown(corner)?.getTracks()).toEqual([camera]);
  });

  it("keeps its stream while the camera stays, so a new microphone does not restart the picture", () => {
    const camera = fakeTrack("video");
    const { container, rerender } = render(
      <StreamVideo stream={new MediaStream([fakeTrack("audio"), camera])} muted />,
    );
    const video = container.querySelector("video");
    const first = shown(video);
    rerender(<StreamVideo stream={new MediaStream([fakeTrack("audio"), camera])} muted />);
    expect(shown(video)).toBe(first);

    const other = fakeTrack("video");
    rerender(<StreamVideo stream={new MediaStream([fakeTrack("audio"), other])} muted />);
    expect(shown(video)).not.toBe(first);
    expect(shown(video)?.getTracks()).toEqual([other]);
  });

  it("follows the video tracks the browser adds to and removes from the stream", async () => {
    const source = new MediaStream([fakeTrack("audio")]);
    const { container } = render(<StreamVideo stream={source} muted />);
    const video = container.querySelector("video");
    expect(shown(video)?.getTracks() ?? []).toEqual([]);

    const camera = fakeTrack("video");
    await act(() => source.addTrack(camera));
    expect(shown(video)?.getTracks()).toEqual([camera]);
    const kept = shown(video);
    await act(() => source.addTrack(fakeTrack("audio")));
    expect(shown(video), "a new audio track changes nothing shown").toBe(kept);
    await act(() => source.removeTrack(camera));
    expect(shown(video)?.getTracks() ?? []).toEqual([]);
  });
});

describe("a person's video", () => {
  it("keeps their whole stream, since it plays their sound", () => {
    const stream = new MediaStream([fakeTrack("audio"), fakeTrack("video")]);
    renderRoomView(fakeCall({ peers: [{ ...peerA, stream }] }));
    const video = tileOf("Grace").querySelector("video");
    expect(video?.muted).toBe(false);
    expect(shown(video)).toBe(stream);
  });
});
