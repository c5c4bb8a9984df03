/**
 * The people in the call: our own tile and one per peer, in a grid sized by TileGrid. Who takes
 * the stage (pinned, or presenting) is decided by stageOf beforehand; this only draws it.
 */
import type { CallControls, CallState, Peer } from "../../call/call";
import { labelFor, type NameLabel } from "../../call/names";
import { SELF, type Stage as StageLayout } from "../../components/stage";
import { RemoteTile, SelfTile } from "../../components/Tile";
import { TileGrid } from "../../components/TileGrid";
import type { Speakers } from "./use-speakers";

interface StageProps {
  speakers: Speakers;
  call: CallState & Pick<CallControls, "setListening" | "setTileWidth">;
  labels: ReadonlyMap<string, NameLabel>;
  stage: StageLayout;
  selfShown: boolean;
  isVerified(peer: Peer): boolean;
  onPin(id: string): void;
  onHideSelf(): void;
  /** Absent while removing is not possible (not yet, or no longer, in the call). */
  onRemove: ((peer: Peer) => void) | undefined;
  onVerify(peer: Peer): void;
}

export function Stage(props: StageProps) {
  const { call, labels, stage, selfShown, speakers, isVerified, onPin, onHideSelf, onRemove, onVerify } = props;
  const media = call.media;
  const micOn = media.micOn.value;
  const hasAudio = media.audioTrack.value !== null;
  const cameraOn = media.cameraOn.value;
  const hasVideo = media.videoTrack.value !== null;
  const screenStream = call.screenStream.value;
  const sharing = screenStream !== null;
  const selfName = call.selfName.value;
  const sinkId = media.choice.value.audiooutput;
  const selfId = call.selfId.value ?? SELF;
  const hands = call.hands.value;
  const reactions = call.reactions.value;
  /** A tile's place in the hand queue (1-based), and what it is reacting with now. */
  const handOf = (id: string) => (hands.includes(id) ? hands.indexOf(id) + 1 : undefined);
  const reactionsOf = (id: string) => reactions.filter((r) => r.from === id);
  return (
    <TileGrid count={stage.tileCount} spotlight={stage.spotlightLayout}>
      {selfShown && (
        <SelfTile
          name={selfName}
          label={labelFor(labels, selfId, selfName)}
          stream={screenStream ?? call.localStream.value}
          pip={sharing && call.cameraWhileSharing.value && cameraOn && hasVideo ? call.localStream.value : null}
          audio={micOn && hasAudio}
          video={sharing || (cameraOn && hasVideo)}
          screen={sharing}
          speaking={micOn && speakers.of(SELF).speaking}
          active={micOn && speakers.of(SELF).active}
          level={speakers.of(SELF).level}
          pinned={stage.pinned === SELF}
          spotlight={stage.spotlight === SELF}
          onPin={() => onPin(SELF)}
          onHide={onHideSelf}
          hand={handOf(selfId)}
          reactions={reactionsOf(selfId)}
        />
      )}
      {call.peers.value.map((peer) => (
        <RemoteTile
          key={peer.id}
          id={peer.id}
          name={peer.name}
          label={labelFor(labels, peer.id, peer.name)}
          stream={peer.stream}
          pip={peer.screen && peer.video ? peer.pip : null}
          quality={peer.quality}
          audio={peer.audio}
          video={peer.video}
          screen={peer.screen}
          speaking={speakers.of(peer.id).speaking}
          active={speakers.of(peer.id).active}
          level={speakers.of(peer.id).level}
          pinned={stage.pinned === peer.id}
          spotlight={stage.spotlight === peer.id}
          sinkId={sinkId}
          onPin={() => onPin(peer.id)}
          onRemove={onRemove ? () => onRemove(peer) : undefined}
          onVerify={() => onVerify(peer)}
          verified={isVerified(peer)}
          listening={call.listening.value.get(peer.id)}
          onListening={(change) => call.setListening(peer.id, change)}
          onWidth={(width) => call.setTileWidth(peer.id, width)}
          hand={handOf(peer.id)}
          reactions={reactionsOf(peer.id)}
        />
      ))}
    </TileGrid>
  );
}
