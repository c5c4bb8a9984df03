import { act, fireEvent, screen, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { fakeCall } from "./fake-call";
import { fakeMedia } from "./fake-media";
import { button, renderHairCheck } from "./render-views";

describe("the hair check", () => {
  it("previews the camera with the name ready, and joins with that name", () => {
    const { container, joins } = renderHairCheck();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Ready to join?");
    expect(screen.getByText("team-sync")).toBeTruthy();
    const preview = screen.getByTestId("preview");
    expect(preview.querySelector("video")?.muted).toBe(true);
    expect(within(preview).queryByTestId("avatar")).toBeNull();
    expect(screen.getByRole("meter", { name: "Microphone level" })).toBeTruthy();
    expect(container.querySelector("video.mirrored")).toBeTruthy();

    fireEvent.input(screen.getByLabelText("Your name"), { target: { value: " Ada Lovelace " } });
    fireEvent.click(button("Join"));
    expect(joins).toEqual(["Ada Lovelace"]);
  });

  it("refuses a name the room would refuse, and says why", () => {
    const { joins } = renderHairCheck();
    fireEvent.input(screen.getByLabelText("Your name"), { target: { value: "   " } });
    fireEvent.click(button("Join"));
    expect(joins).toEqual([]);
    expect(screen.getByText("Enter a name.").getAttribute("role")).toBe("alert");
    expect(screen.getByLabelText("Your name").getAttribute("aria-invalid")).toBe("true");
  });

  it("joins with the camera or microphone off", () => {
    const { media } = renderHairCheck();
    fireEvent.click(button("Turn camera off"));
    fireEvent.click(button("Mute microphone"));
    expect(media.calls).toEqual([
      ["setCameraOn", false],
      ["setMicOn", false],
    ]);
    expect(button("Turn camera on")).toBeTruthy();
    expect(button("Unmute microphone")).toBeTruthy();
    expect(within(screen.getByTestId("preview")).getByText("Your camera is off")).toBeTruthy();
    expect(screen.getByText("Your microphone is off.")).toBeTruthy();
  });

  it("waits for the permission prompt without blocking Join", () => {
    renderHairCheck(fakeMedia({ phase: "asking", audio: false, video: false }));
    expect(screen.getByText("Waiting for the camera…")).toBeTruthy();
    expect((button("Join") as HTMLButtonElement).disabled).toBe(false);
  });

  it("explains blocked devices, offers to try again, and lets the person listen and watch anyway", () => {
    const media = fakeMedia({ audio: false, video: false, problem: { missing: "both", reason: "NotAllowedError" } });
    const { joins } = renderHairCheck(media);
    expect(screen.getByText(/Camera and microphone are blocked/)).toBeTruthy();
    expect(screen.getByText(/click the camera or padlock icon at the left of the address bar/)).toBeTruthy();
    expect(within(screen.getByTestId("preview")).getByText("No camera")).toBeTruthy();
    expect((button("Microphone unavailable") as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(button("Try again"));
    expect(media.calls).toEqual([["retry"]]);
    fireEvent.click(button("Join to listen and watch"));
    expect(joins).toHaveLength(1);
  });

  it("says when there is no camera, and joins with the microphone alone", () => {
    renderHairCheck(fakeMedia({ video: false, problem: { missing: "camera", reason: "NotFoundError" } }));
    expect(screen.getByText(/No camera found — others can hear you but not see you/)).toBeTruthy();
    expect(button("Join")).toBeTruthy();
  });

  it("lists the devices, the one in use selected, and switches on choice", async () => {
    const { media } = renderHairCheck();
    const camera = screen.getByLabelText("Camera") as HTMLSelectElement;
    expect([...camera.options].map((o) => o.text)).toEqual(["Front camera", "USB camera"]);
    expect(camera.value).toBe("video-1");
    expect((screen.getByLabelText("Microphone") as HTMLSelectElement).value).toBe("audio-1");

    await act(async () => {
      fireEvent.change(camera, { target: { value: "video-2" } });
    });
    expect(media.calls).toEqual([["useDevice", "videoinput", "video-2"]]);
  });

  it("shows Joining… while the room answers", () => {
    renderHairCheck(fakeMedia(), { joining: true });
    expect((button("Joining…") as HTMLButtonElement).disabled).toBe(true);
  });

  it("says when the room cannot be reached, and starts over on request", async () => {
    const media = fakeMedia();
    const call = fakeCall({ status: "error", media });
    call.error.value = "lost";
    const { retries } = renderHairCheck(media, { call });
    const alert = screen.getByText(/Lost the connection to the room/).closest("[role=alert]") as HTMLElement;
    fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(retries()).toBe(1);
  });
});
