/**
 * What screen reader users hear of hands and reactions, which sighted people see on the tiles:
 * a polite live region saying who raised or lowered a hand and who reacted with what. It is
 * always in the DOM, since screen readers announce changes to a live region that already exists.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { CallState } from "../../call/call";
import { labelFor, labelText, type NameLabel } from "../../call/names";
import { t } from "../../i18n/active";
import { format } from "../../i18n/format";
import { REACTION_NAMES } from "../../services/reactions";

export function EtiquetteNews({ call, labels }: { call: CallState; labels: ReadonlyMap<string, NameLabel> }) {
  const [news, setNews] = useState("");
  const hands = call.hands.value;
  const reactions = call.reactions.value;
  const before = useRef<{ hands: readonly string[]; lastReaction: number }>({ hands, lastReaction: -1 });
  const selfId = call.selfId.value;
  const text = t();
  const nameOf = (id: string) => {
    const peer = call.peers.value.find((p) => p.id === id);
    return peer ? labelText(labelFor(labels, id, peer.name)) : text.someone;
  };
  // Our own news has sentences of its own: "you" changes the verb in most languages.
  const say = (id: string, ours: string, theirs: string, values: Record<string, string> = {}) =>
    id === selfId ? format(ours, values) : format(theirs, { ...values, name: nameOf(id) });

  useEffect(() => {
    const said: string[] = [];
    const was = before.current.hands;
    for (const id of hands) if (!was.includes(id)) said.push(say(id, text.youRaisedHand, text.someoneRaisedHand));
    for (const id of was) if (!hands.includes(id)) said.push(say(id, text.youLoweredHand, text.someoneLoweredHand));
    for (const r of reactions) {
      if (r.key > before.current.lastReaction)
        said.push(say(r.from, text.youReacted, text.someoneReacted, { reaction: text[REACTION_NAMES[r.emoji]] }));
    }
    before.current = { hands, lastReaction: Math.max(before.current.lastReaction, ...reactions.map((r) => r.key)) };
    if (said.length > 0) setNews(said.join(" "));
  }, [hands, reactions]);

  return (
    <p class="visually-hidden" aria-live="polite" data-testid="etiquette-news">
      {news}
    </p>
  );
}
