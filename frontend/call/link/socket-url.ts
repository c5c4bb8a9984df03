/**
 * Where a room's socket is. Its own small module, free of the protocol schema, because the
 * page's first module opens the socket early (see early-socket.ts) and rides in the home page's
 * bundle too.
 */
import { isRoomId, roomIdFor } from "../../../common/room-id";

/**
 * `wss://<host>/api/rooms/<id>/ws`, on whatever host served the page (Vite proxies it in
 * development). It takes the room's id, never its name: the name must not leave the page, so a
 * name handed in by mistake is refused here rather than sent (issue #19).
 */
export function roomSocketUrl(roomId: string, where: Pick<Location, "protocol" | "host"> = location): string {
  if (!isRoomId(roomId)) throw new TypeError("roomSocketUrl takes a room id (roomIdFor), not a room name");
  const scheme = where.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${where.host}/api/rooms/${roomId}/ws`;
}

/** The socket URL of the room whose normalized name is `name`: the name is hashed here, in the page. */
export async function roomSocketUrlFor(
  name: string,
  where: Pick<Location, "protocol" | "host"> = location,
): Promise<string> {
  return roomSocketUrl(await roomIdFor(name), where);
}
