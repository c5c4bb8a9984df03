/**
 * Push to talk and the per-person controls in the room view (happy-dom, a fake engine made of
 * signals): which Space presses are push to talk, letting go on key-up, blur and hidden tab, and
 * the for-me-only mute, volume and hidden video applied to that one tile. The e2e tests prove the
 * sound itself in real Chromium (test/e2e/talky-media.test.ts).
 */
import { act, fireEvent, screen, within } from "@testing-library/preact";
import { beforeAll, describe, expect, it } from "vitest";
import { AS_SENT, ListeningChoices } from "../../frontend/call/listening";
import { isPushToTalk } from "../../frontend/services/shortcuts";
import { fakeCall, peerA } from "./fake-call";
import { fakeTrack } from "./fake-media";
import { button, prefetchOnDemand, renderRoomView, tileOf } from "./render-views";

beforeAll(prefetchOnDemand);

function space(target: EventTarget = document.body, extra: Partial<KeyboardEventInit> = {}) {
  const event = new KeyboardEvent("keydown", { key: " ", bubbles: true, ...extra });
  Object.defineProperty(event, "target", { value: target });
  return isPushToTalk(event);
}

function element(html: string): HTMLElement {
  const host = document.createElement("div");
  host.innerHTML = html;
  document.body.append(host);
  return host.firstElementChild as HTMLElement;
}

describe("which Space is push to talk", () => {
  it("is Space anywhere in the call, held or not", () => {
    expect(space()).toBe(true);
    expect(space(element("<div tabindex='0'>tile</div>"))).toBe(true);
    expect(space(document.body, { repeat: true })).toBe(true);
  });

  it("is never Space typed into a field, pressing a control, in a dialog, or with a modifier", () => {
    expect(space(element("<input type='text'>"))).toBe(false);
    expect(space(element("<textarea></textarea>"))).toBe(false);
    expect(space(element("<button>Mute</button>"))).toBe(false);
    expect(space(element("<input type='range'>"))).toBe(false);
    expect(space(element("<a href='#x'>link</a>"))).toBe(false);
    expect(space(element("<div role='log' tabindex='0'>chat</div>")), "Space scrolls the chat log").toBe(false);
    expect(space(element("<dialog open><p>in a dialog</p></dialog>").querySelector("p") as HTMLElement)).toBe(false);
    expect(space(document.body, { ctrlKey: true })).toBe(false);
    expect(space(document.body, { isComposing: true })).toBe(false);
    const other = new KeyboardEvent("keydown", { key: "Enter" });
    expect(isPushToTalk(other)).toBe(false);
  });
});

describe("push to talk in the room view", () => {
  it("holds while Space is down and lets go on key-up, on blur and when the tab is hidden", () => {
    const call = fakeCall();
    renderRoomView(call);
    fireEvent.click(button("Mute microphone"));
    const held = () => call.calls.filter(([name]) => name === "setPushToTalk").map(([, on]) => on);

    fireEvent.keyDown(document.body, { key: " " });
    fireEvent.keyDown(document.body, { key: " ", repeat: true });
    expect(held()).toEqual([true]);
    expect(screen.getByText("Talking. Let go of Space to mute again.")).toBeTruthy();
    expect(button("Unmute microphone").classList.contains("control--talking")).toBe(true);
    fireEvent.keyUp(document.body, { key: " " });
    expect(held()).toEqual([true, false]);
    expect(screen.queryByText("Talking. Let go of Space to mute again.")).toBeNull();

    fireEvent.keyDown(document.body, { key: " " });
    act(() => {
      window.dispatchEvent(new Event("blur"));
    });
    expect(held()).toEqual([true, false, true, false]);

    fireEvent.keyDown(document.body, { key: " " });
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    act(() => {
      document.dispatchEvent(new Event("visibilitychange"));
    });
    Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
    expect(held()).toEqual([true, false, true, false, true, false]);
  });

  it("is not taken while typing a chat message, and is listed among the shortcuts", () => {
    const call = fakeCall();
    renderRoomView(call);
    fireEvent.click(button("Mute microphone"));
    fireEvent.click(button("Chat"));
    const box = screen.getByLabelText("Message to everyone");
    fireEvent.keyDown(box, { key: " " });
    expect(call.calls.some(([name]) => name === "setPushToTalk")).toBe(false);

    fireEvent.keyDown(document.body, { key: "?" });
    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    const line = within(dialog).getByText("While muted, hold to talk", { exact: false });
    expect(line.querySelector("kbd")?.textContent).toBe("Space");
  });
});

describe("the typing indicator in the chat panel", () => {
  it("tells the engine while a draft is written, shows who types, and stops when the panel closes", async () => {
    const call = fakeCall({ peers: [peerA, { ...peerA, id: "c".repeat(32), name: "Linus" }] });
    renderRoomView(call);
    fireEvent.click(button("Chat"));
    const status = () => document.querySelector(".chat__typing")?.textContent;
    expect(status()).toBe("");
    await act(() => {
      call.chat.typing.value = [peerA.id];
    });
    expect(status()).toBe("Grace is typing…");
    await act(() => {
      call.chat.typing.value = [peerA.id, "c".repeat(32)];
    });
    expect(status()).toBe("Grace and Linus are typing…");

    const box = screen.getByLabelText("Message to everyone");
    fireEvent.input(box, { target: { value: "h" } });
    fireEvent.input(box, { target: { value: "  " } });
    fireEvent.click(button("Close chat"));
    expect(call.calls.filter(([name]) => name === "setTyping")).toEqual([
      ["setTyping", true],
      ["setTyping", false],
      ["setTyping", false],
    ]);
  });
});

describe("per-person controls", () => {
  const withStream = () => ({ ...peerA, stream: new MediaStream([fakeTrack("audio"), fakeTrack("video")]) });

  it("mute, turn down and hide one person on this page only, from the tile's menu", async () => {
    const call = fakeCall({ peers: [withStream()] });
    renderRoomView(call);
    const grace = () => tileOf("Grace");
    const video = () => grace().querySelector("video") as HTMLVideoElement;
    const menu = within(grace()).getByRole("button", { name: "Sound and video of Grace" });
    fireEvent.click(menu);
    expect(menu.getAttribute("aria-expanded")).toBe("true");

    await act(() => {
      fireEvent.click(screen.getByRole("button", { name: "Mute for me" }));
    });
    expect(call.listening.value.get(peerA.id)).toEqual({ ...AS_SENT, muted: true });
    expect(video().volume).toBe(0);
    expect(within(grace()).getByText("Muted for you")).toBeTruthy();
    await act(() => {
      fireEvent.click(screen.getByRole("button", { name: "Mute for me" }));
    });
    expect(video().volume).toBe(1);

    const slider = screen.getByRole("slider", { name: "Grace's volume" }) as HTMLInputElement;
    await act(() => {
      fireEvent.input(slider, { target: { value: "40" } });
    });
    expect(video().volume).toBeCloseTo(0.4);
    expect(slider.getAttribute("aria-valuetext")).toBe("40 %");

    expect(within(grace()).queryByTestId("avatar")).toBeNull();
    await act(() => {
      fireEvent.click(screen.getByRole("button", { name: "Hide video for me" }));
    });
    expect(within(grace()).getByTestId("avatar")).toBeTruthy();
    expect(within(grace()).getByText("Video hidden for you")).toBeTruthy();
    expect((video().srcObject as MediaStream).getTracks().map((track) => track.kind)).toEqual(["audio"]);

    // Nothing of this was said to anyone: only the for-me choices were asked of the engine.
    expect(call.calls.map(([name]) => name)).toEqual(["setListening", "setListening", "setListening", "setListening"]);

    fireEvent.keyDown(screen.getByRole("button", { name: "Hide video for me" }), { key: "Escape" });
    expect(screen.queryByRole("button", { name: "Hide video for me" })).toBeNull();
    expect(document.activeElement).toBe(menu);
  });

  it("refuse a volume outside 0 to 100 % and change nothing", () => {
    const choices = new ListeningChoices();
    expect(choices.set("a", { volume: 0.5 })).toBeNull();
    for (const volume of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(choices.set("a", { volume })).toEqual({ key: "volumeOutOfRange" });
    expect(choices.choices.value.get("a")).toEqual({ ...AS_SENT, volume: 0.5 });
    expect(choices.set("a", { muted: true })).toBeNull();
    expect(choices.choices.value.get("a")).toEqual({ muted: true, volume: 0.5, videoHidden: false });
  });
});

describe("the camera beside a shared screen", () => {
  const sharing = { ...peerA, stream: new MediaStream([fakeTrack("video")]), screen: true };
  const pip = new MediaStream([fakeTrack("video")]);

  it("shows in a corner of the presenter's tile only while they share with their camera on", async () => {
    const call = fakeCall({ peers: [{ ...sharing, pip }] });
    renderRoomView(call);
    const corner = () => within(tileOf("Grace")).queryByRole("img", { name: "Grace's camera" });
    // A muted video is given the picture only (stream-video.test.tsx): the pip's camera, in a stream of its own.
    expect((corner()?.querySelector("video")?.srcObject as MediaStream | undefined)?.getTracks()).toEqual(
      pip.getTracks(),
    );
    await act(() => {
      call.peers.value = [{ ...sharing, pip, video: false }];
    });
    expect(corner(), "camera off: nothing in the corner").toBeNull();
    await act(() => {
      call.peers.value = [{ ...sharing, pip, screen: false }];
    });
    expect(corner(), "not sharing: the camera is the tile itself").toBeNull();
    await act(() => {
      call.peers.value = [{ ...sharing, pip }];
      call.setListening(peerA.id, { videoHidden: true });
    });
    expect(corner(), "their video hidden for us: the corner too").toBeNull();
  });

  it("is turned off and on in the settings, and our own tile shows what the others see", async () => {
    const call = fakeCall();
    call.localStream.value = new MediaStream([fakeTrack("video")]);
    renderRoomView(call);
    await act(async () => {
      fireEvent.click(button("Share screen"));
    });
    const self = () => within(screen.getByTestId("self-tile")).queryByTestId("camera-pip");
    expect(self()).toBeTruthy();
    fireEvent.click(button("Settings"));
    const setting = await screen.findByRole("checkbox", { name: "Show my camera in a corner while I share my screen" });
    expect((setting as HTMLInputElement).checked).toBe(true);
    await act(() => {
      fireEvent.click(setting);
    });
    expect(call.calls.at(-1)).toEqual(["setCameraWhileSharing", false]);
    expect(self()).toBeNull();
  });
});
