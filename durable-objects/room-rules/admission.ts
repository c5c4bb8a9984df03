/**
 * Letting a socket into the call, however it got there (an open room, the right key, a
 * resume, a member admitting a knock): it becomes the member, the others hear first, and it
 * is welcomed with the peers, the lock, its ICE servers and its resume token.
 */
import { CloseCode } from "../../common/close-codes";
import type { IceConfig } from "../../common/protocol";
import { settleCallMode } from "./call-mode";
import type { Changes } from "./changes";
import { type Ask, ask, lockInfo, type Member } from "./facts";
import { endKnock } from "./replies";
import { tellPublishers } from "./sfu";

interface Credentials {
  ice: IceConfig;
  resumeToken: string;
}

/** The credentials a welcome for `id` carries, or the question that gets them (they take I/O to make). */
export function credentialsFor(changes: Changes, id: string): Credentials | Ask {
  const { ice, resumeToken } = changes.facts.answers;
  if (!ice || resumeToken?.id !== id) return ask({ kind: "credentials", id });
  return { ice, resumeToken: resumeToken.token };
}

/**
 * Socket `ref` joins as `member`; `peers` is everyone else in the call, in join order. The
 * others hear first, so the newcomer's first offer never arrives before `peer-joined`.
 */
export function admit(changes: Changes, ref: number, member: Member, peers: Member[]): Ask | undefined {
  const credentials = credentialsFor(changes, member.id);
  if ("ask" in credentials) return credentials;
  changes.broadcast(member.id, { type: "peer-joined", peer: member });
  const { knock } = changes.room.attachment(ref);
  if (knock) {
    endKnock(changes, knock.id, "withdrawn");
    changes.update(ref, { knock: null });
    changes.reschedule();
  }
  becomeMember(changes, ref, member);
  welcome(changes, ref, member, peers, credentials);
}

/**
 * What a newcomer needs to know: who it is, who is here, the lock, how to connect, how to come
 * back, and (where the SFU is configured) whether the call is mesh or SFU, counting the newcomer:
 * the others hear of a change now, the newcomer from its welcome.
 */
export function welcome(changes: Changes, ref: number, member: Member, peers: Member[], credentials: Credentials) {
  settleCallMode(changes, peers.length + 1, member.id);
  const { sfu } = changes.facts.settings;
  changes.send(ref, {
    type: "welcome",
    id: member.id,
    peers,
    lock: lockInfo(changes.records.lock),
    ice: credentials.ice,
    resumeToken: credentials.resumeToken,
    ...(member.hand !== undefined && { hand: member.hand }),
    ...(sfu && { mode: changes.callMode().mode }),
  });
  // SFU mode only (no one publishes otherwise): what the others publish, as they heard it.
  tellPublishers(changes, ref, member.id);
}

/**
 * Socket `ref` is now `member`: the attachment says so (and nothing else from the door), and
 * the identity is live. One socket per identity: an older one (a resume before the old
 * socket noticed its own death) is replaced quietly, without a departure.
 */
export function becomeMember(changes: Changes, ref: number, member: Member): void {
  for (const other of changes.room.connectedMembers()) {
    if (other.ref === ref || other.member.id !== member.id) continue;
    changes.update(other.ref, { departed: true });
    changes.close(other.ref, CloseCode.replaced, "Replaced by a newer connection.");
  }
  const seq = changes.room.nextSeq();
  changes.attach(ref, { member, seq, since: changes.now, knock: null });
  changes.putIdentity({ member, seq, until: null });
  changes.reschedule();
}
