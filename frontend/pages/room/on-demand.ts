/**
 * What the call view shows only when someone asks for it: the dialogs, the chat and people panels. None of
 * it is needed to show the call, so it comes in one chunk of its own, which the call view fetches
 * once the join has settled, 2 s after it appears (RoomView.tsx): by the time anyone clicks, it is there.
 */
export { ChatPanel } from "../../components/ChatPanel";
export { PeoplePanel } from "../../components/PeoplePanel";
export { RoomDialogs } from "./RoomDialogs";
