/**
 * Who gives up and who takes an introducer slot. Being introduced first is worth something to an attacker (the
 * newcomer's first links), so no address keeps more than its share of a room's pool while members of other
 * addresses wait, and slots change hands when a term is over. Both choices favour the longest-serving and the
 * longest-waiting, so they are deterministic.
 */
import type { NodeId } from '../src/identity/keys';
import type { Room } from './room-types';

export type { RoomMember } from './room-types';

/**
 * The introducer that yields its slot to a newcomer of an address below its share: the longest-serving
 * introducer of the address holding the most slots, if that address holds more than `share`; else none.
 */
export function pickIntroducerToDisplace<M>(room: Room<M>, share: number): NodeId | undefined {
  let picked: NodeId | undefined;
  let pickedCount = share;
  for (const id of room.introducers.inOrder()) {
    const address = room.members.get(id)?.address;
    if (address === undefined) continue;
    const held = room.introducersOf.count(address);
    // Strictly more: among equals the first seen (the longest-serving) stays picked.
    if (held > pickedCount) {
      picked = id;
      pickedCount = held;
    }
  }
  return picked;
}

/**
 * The guest that takes a slot: the longest-waiting guest whose address holds fewer than `share` slots (counting
 * `leaving`'s slot as already given up). With `allowOverShare`, a guest over its share is better than an empty
 * slot (the next newcomer of another address can displace it); a rotation never hands a slot over that way.
 */
export function pickGuestToPromote<M>(
  room: Room<M>,
  share: number,
  options: { exclude?: ReadonlySet<NodeId>; leavingAddress?: string; allowOverShare: boolean },
): NodeId | undefined {
  let fallback: NodeId | undefined;
  for (const id of room.guests.inOrder()) {
    if (options.exclude?.has(id)) continue;
    const address = room.members.get(id)?.address;
    if (address === undefined) continue;
    const held = room.introducersOf.count(address) - (address === options.leavingAddress ? 1 : 0);
    if (held < share) return id;
    fallback ??= id;
  }
  return options.allowOverShare ? fallback : undefined;
}
