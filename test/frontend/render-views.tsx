/**
 * The view tests' shared set-up: the room page, the call view and the hair check rendered around
 * a fake call (fake-call.ts), for the room "team-sync", plus the queries those tests all use.
 */
import { render, screen } from "@testing-library/preact";
import { HairCheck } from "../../frontend/pages/HairCheck";
import { Room } from "../../frontend/pages/room/Room";
import { RoomView } from "../../frontend/pages/room/RoomView";
import { fakeCall, fakeEngine } from "./fake-call";
import { fakeMedia } from "./fake-media";

export const noop = () => {};

/**
 * The call's dialogs and chat panel come in a chunk that the call view fetches right after its
 * first frame; the tests of what they do start with it in, as a call does a moment after it
 * appears (on-demand.test.tsx covers the moment before). Use as `beforeAll(prefetchOnDemand)`.
 */
export { prefetchOnDemand } from "../../frontend/pages/room/lazy-parts";

/** The call view of a joined call, or of whatever state `call` is in. */
export function renderRoomView(call = fakeCall(), { onLeave = noop, onRetry = noop } = {}) {
  return render(<RoomView room="team-sync" call={call} onLeave={onLeave} onRetry={onRetry} />);
}

/** The whole room page over a fake engine: `started` lists each session's media and call, in order. */
export function renderRoom(options: Parameters<typeof fakeEngine>[0] = {}) {
  const { engine, started, wentTo } = fakeEngine(options);
  return { ...render(<Room room="team-sync" engine={engine} />), started, wentTo };
}

/** The hair check over fake media and a connecting fake call, recording every join and retry. */
export function renderHairCheck(
  media = fakeMedia(),
  { joining = false, call = fakeCall({ status: "connecting", media }) } = {},
) {
  const joins: string[] = [];
  let retries = 0;
  const result = render(
    <HairCheck
      room="team-sync"
      media={media}
      call={call}
      joining={joining}
      onJoin={(name) => joins.push(name)}
      onRetry={() => retries++}
    />,
  );
  return { ...result, media, call, joins, retries: () => retries };
}

export const button = (name: string | RegExp) => screen.getByRole("button", { name });

/** The tile (a <figure>) captioned `name`. */
export const tileOf = (name: string) => screen.getByText(name).closest("figure") as HTMLElement;

export function remoteTiles(container: ParentNode): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')];
}
