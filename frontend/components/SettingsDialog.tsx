import { useId, useState } from "preact/hooks";
import type { CallHandle } from "../call/call";
import { rememberDisplayName } from "../call/display-name";
import { t } from "../i18n/active";
import type { Problem } from "../i18n/problem";
import { setSoundsOn, soundsOn } from "../services/sounds";
import { BlurSwitch } from "./BlurSwitch";
import { DevicePickers } from "./DevicePickers";
import { LanguagePicker } from "./LanguagePicker";
import { Modal } from "./Modal";
import { NameField } from "./NameField";
import { NoiseSwitch } from "./NoiseSwitch";
import { ShortcutList } from "./ShortcutList";
import { Switch } from "./Switch";
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
  const [problem, setProblem] = useState<Problem | null>(null);
  const text = t();
  const [saved, setSaved] = useState(false);

  const saveName = (event: SubmitEvent) => {
    event.preventDefault();
    const reason = call.rename(name);
    setProblem(reason);
    setSaved(reason === null);
    if (reason === null) rememberDisplayName(name);
  };

  return (
    <Modal title={text.settings} onClose={onClose}>
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
            action={<button type="submit">{text.saveName}</button>}
          />
          <p class="field-note" role="status">
            {saved && text.nameSaved}
          </p>
        </form>

        <DevicePickers media={call.media} onChoose={(kind, deviceId) => call.useDevice(kind, deviceId)} />
        {/* The two sound and picture effects together, right under the devices they process. */}
        <NoiseSwitch media={call.media} />
        <BlurSwitch media={call.media} />

        <Switch label={text.playSounds} checked={soundsOn.value} onChange={setSoundsOn} />
        <Switch label={text.showMyVideo} checked={selfViewShown} onChange={onSelfViewShown} />
        <Switch
          label={text.cameraWhileSharing}
          checked={call.cameraWhileSharing.value}
          onChange={(on) => call.setCameraWhileSharing(on)}
        />

        <LanguagePicker class="settings__language" />

        <h3 class="settings__heading">{text.keyboardShortcuts}</h3>
        <ShortcutList />

        <div class="actions">
          <button type="button" class="primary" onClick={onClose}>
            {text.done}
          </button>
        </div>
      </div>
    </Modal>
  );
}
