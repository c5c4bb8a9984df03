import { useId, useState } from "preact/hooks";
import type { CallHandle } from "../call/call";
import { rememberDisplayName } from "../call/display-name";
import { setSoundsOn, soundsOn } from "../services/sounds";
import { DevicePickers } from "./DevicePickers";
import { Modal } from "./Modal";
import { NameField } from "./NameField";
import { ShortcutList } from "./ShortcutList";
import "../styles/controls.css";
import "./SettingsDialog.css";

interface SettingsDialogProps {
  call: CallHandle;
  selfViewShown: boolean;
  onSelfViewShown(shown: boolean): void;
  onClose(): void;
}

/** Name, devices and the little preferences, changed mid-call without leaving it. */
export function SettingsDialog({ call, selfViewShown, onSelfViewShown, onClose }: SettingsDialogProps) {
  const id = useId();
  const [name, setName] = useState(call.selfName.value);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const saveName = (event: SubmitEvent) => {
    event.preventDefault();
    const reason = call.rename(name);
    setProblem(reason);
    setSaved(reason === null);
    if (reason === null) rememberDisplayName(name);
  };

  return (
    <Modal title="Settings" onClose={onClose}>
      <div class="modal__body settings">
        <form class="settings__name" onSubmit={saveName} noValidate>
          <NameField
            id={id}
            value={name}
            onValue={(value) => {
              setName(value);
              setProblem(null);
              setSaved(false);
            }}
            problem={problem}
            action={<button type="submit">Save name</button>}
          />
          <p class="field-note" role="status">
            {saved && "Saved: everyone in the call sees your new name."}
          </p>
        </form>

        <DevicePickers media={call.media} onChoose={(kind, deviceId) => call.useDevice(kind, deviceId)} />

        <label class="check">
          <input
            type="checkbox"
            checked={soundsOn.value}
            onChange={(event) => setSoundsOn(event.currentTarget.checked)}
          />
          Play a quiet sound when someone joins, leaves or writes
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={selfViewShown}
            onChange={(event) => onSelfViewShown(event.currentTarget.checked)}
          />
          Show my own video
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={call.cameraWhileSharing.value}
            onChange={(event) => call.setCameraWhileSharing(event.currentTarget.checked)}
          />
          Show my camera in a corner while I share my screen
        </label>

        <h3 class="settings__heading">Keyboard shortcuts</h3>
        <ShortcutList />

        <div class="actions">
          <button type="button" class="primary" onClick={onClose}>
            Done
          </button>
        </div>
      </div>
    </Modal>
  );
}
