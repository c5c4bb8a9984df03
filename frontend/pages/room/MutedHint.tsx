/**
 * Under the stage: "You are muted" while we speak with the microphone off, or that push to talk
 * is on. Split from RoomView.tsx; the view decides when (held a moment, gone at once on unmute).
 */
import { t } from "../../i18n/active";

export function MutedHint({ mutedHint, talking }: { mutedHint: boolean; talking: boolean }) {
  const text = t();
  return (
    <p class={hintClass(mutedHint, talking)} role="status">
      {talking ? (
        text.talkingHint
      ) : mutedHint ? (
        <>
          <strong>{text.youAreMuted}</strong>
          <span class="muted-hint__how"> {text.mutedHowToTalk}</span>
        </>
      ) : null}
    </p>
  );
}

function hintClass(mutedHint: boolean, talking: boolean): string {
  if (talking) return "muted-hint muted-hint--shown muted-hint--talking";
  return mutedHint ? "muted-hint muted-hint--shown" : "muted-hint";
}
