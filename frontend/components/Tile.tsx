import { StreamVideo } from "./StreamVideo";

interface Person {
  name: string;
  stream: MediaStream | null;
}

/** Our own preview: muted so we do not hear ourselves, mirrored like a mirror. */
export function SelfTile({ name, stream }: Person) {
  return (
    <figure class="tile tile--self" data-testid="self-tile">
      <Initial name={name} />
      <StreamVideo stream={stream} muted mirrored />
      <figcaption class="tile__name">{name} (you)</figcaption>
    </figure>
  );
}

interface RemoteTileProps extends Person {
  id: string;
  /** Starts removing this person from the call (the room page decides whether to lock first). */
  onRemove?: () => void;
}

export function RemoteTile({ id, name, stream, onRemove }: RemoteTileProps) {
  return (
    <figure class="tile" data-testid="remote-tile" data-peer-id={id}>
      <Initial name={name} />
      <StreamVideo stream={stream} />
      <figcaption class="tile__name">{name}</figcaption>
      {onRemove && (
        <button type="button" class="tile__remove" aria-label={`Remove ${name} from call`} onClick={onRemove}>
          Remove
        </button>
      )}
    </figure>
  );
}

/** Sits behind the video, so it shows whenever there is no picture (audio only, or still connecting). */
function Initial({ name }: { name: string }) {
  return (
    <span class="tile__initial" aria-hidden="true">
      {[...name.trim()][0]?.toUpperCase() ?? "?"}
    </span>
  );
}
