/**
 * Room membership for the signaling server, independent of sockets: join with caps, leave (empty rooms are
 * deleted, so memory is bounded by the caps), look up a member, and pick introductions.
 *
 * This is the one place that decides who is in a room and in which role. Introducers are the members the server
 * keeps and introduces newcomers to; everyone else is a *guest*, kept only until it reaches the mesh (the session
 * enforces the guest's lease). The pool is shared out fairly (see `introducer-choice.ts`): an address holds at
 * most `maxIntroducersPerAddress` slots while others wait, and a slot is held for a term, then handed on.
 */
import type { NodeId } from '../src/identity/keys';
import { createKeyedCounter } from './address';
import { pickGuestToPromote, pickIntroducerToDisplace } from './introducer-choice';
import { createMemberTier } from './member-tier';
import type { MemberRole, Room, RoomMember } from './room-types';

export type { MemberRole } from './room-types';

/** Caps, clock and random source of a registry. */
export interface RoomRegistryOptions<M = unknown> {
  /** Largest number of rooms alive at once. */
  maxRooms: number;
  /** Largest number of members (introducers and guests) in one room. */
  maxMembersPerRoom: number;
  /** Largest number of introducers in one room; the other members are guests. */
  maxIntroducersPerRoom: number;
  /** Rooms one address may have members in. Default: no limit. */
  maxRoomsPerAddress?: number;
  /** Introducers one address may hold in a room while another address waits. Default: no limit. */
  maxIntroducersPerAddress?: number;
  /** How long an introducer keeps its slot while guests wait (see `rotate`). Default: for ever. */
  introducerTermMs?: number;
  /** Monotonic clock in ms (terms). Default: always 0. */
  nowMs?: () => number;
  /** Uniform integer in [0, maxExclusive). Injected so tests can be deterministic. */
  randomInt: (maxExclusive: number) => number;
  /**
   * Told of every role change after a join: promotions (leave, rotation) and demotions (displacement, rotation).
   * Called once the registry is consistent again, after the join, leave or rotation that caused it returned its
   * bookkeeping, so the callback may itself join or leave (a demoted socket that is closed at once, say).
   */
  onRoleChange?: (id: NodeId, member: M, role: MemberRole) => void;
}

/** Outcome of a join attempt: the new member's role, or a protocol error code. */
export type JoinResult = MemberRole | 'id-in-use' | 'room-full' | 'server-full' | 'address-limit';

/** Introducers and guests, in one room or in all of them. */
export interface RoleCounts {
  introducers: number;
  guests: number;
}

/** Membership of all rooms of one server instance; `M` is whatever the server attaches to a member. */
export interface RoomRegistry<M> {
  /** Adds a member; `address` is what the per-address limits count (default: one shared address). */
  join(room: string, id: NodeId, member: M, address?: string): JoinResult;
  /**
   * The refusal a join of `address` into `room` would get whatever the id (`address-limit`, `server-full`,
   * `room-full`), or undefined: lets the server refuse before it spends a signature check on the hello.
   */
  refusal(room: string, address?: string): 'address-limit' | 'server-full' | 'room-full' | undefined;
  /**
   * Removes `id` from `room` if `member` is the one registered (a stale leave never evicts a newer member). When
   * an introducer leaves, a guest takes its slot and is returned (and reported to `onRoleChange`).
   */
  leave(room: string, id: NodeId, member: M): { id: NodeId; member: M } | undefined;
  get(room: string, id: NodeId): M | undefined;
  role(room: string, id: NodeId): MemberRole | undefined;
  /**
   * Up to `count` distinct member ids of `room`, excluding `self`: random introducers and random guests,
   * alternating, an introducer first; whichever role runs short, the other fills the rest. Uniform within each role.
   */
  introduce(room: string, self: NodeId, count: number): NodeId[];
  /** Hands the slots of introducers whose term is over to waiting guests; returns the number of swaps. */
  rotate(): number;
  /** Role counts of one room (zero for a room that does not exist). */
  roomStats(room: string): RoleCounts;
  stats(): { rooms: number; members: number } & RoleCounts;
}

/** Creates an empty registry. */
export function createRoomRegistry<M>(options: RoomRegistryOptions<M>): RoomRegistry<M> {
  const rooms = new Map<string, Room<M>>();
  /** Per address: its member count in each room it is in (the size is the address's room count). */
  const roomsOfAddress = new Map<string, Map<string, number>>();
  const totals: RoleCounts = { introducers: 0, guests: 0 };
  const nowMs = options.nowMs ?? (() => 0);
  const share = options.maxIntroducersPerAddress ?? Infinity;
  const termMs = options.introducerTermMs ?? Infinity;

  /** Adds (+1) or removes (-1) the entry under its current role: tier, per-address introducers, totals. */
  function count(room: Room<M>, id: NodeId, entry: RoomMember<M>, delta: 1 | -1): void {
    const introducer = entry.role === 'introducer';
    const tier = introducer ? room.introducers : room.guests;
    if (delta > 0) tier.add(id);
    else tier.remove(id);
    if (introducer && delta > 0) room.introducersOf.add(entry.address);
    if (introducer && delta < 0) room.introducersOf.remove(entry.address);
    totals[introducer ? 'introducers' : 'guests'] += delta;
  }

  function setRole(room: Room<M>, id: NodeId, entry: RoomMember<M>, role: MemberRole): void {
    count(room, id, entry, -1);
    entry.role = role;
    entry.sinceMs = nowMs();
    count(room, id, entry, 1);
  }

  /** The address's member count in each room; its size is the number of rooms the address is in. */
  function addressRooms(address: string, roomName: string, delta: 1 | -1): void {
    const counts = roomsOfAddress.get(address) ?? new Map<string, number>();
    const next = (counts.get(roomName) ?? 0) + delta;
    if (next > 0) counts.set(roomName, next);
    else counts.delete(roomName);
    if (counts.size > 0) roomsOfAddress.set(address, counts);
    else roomsOfAddress.delete(address);
  }

  /** Role changes not reported yet (see `onRoleChange`). */
  const unreported: Array<{ id: NodeId; member: M; role: MemberRole }> = [];

  function changeRole(room: Room<M>, id: NodeId, role: MemberRole): void {
    const entry = room.members.get(id);
    if (!entry) return;
    setRole(room, id, entry, role);
    unreported.push({ id, member: entry.member, role });
  }

  /** Runs `operation`, then reports the role changes it made (and any that the reports themselves cause). */
  function reporting<T>(operation: () => T): T {
    const result = operation();
    for (let change = unreported.shift(); change !== undefined; change = unreported.shift()) {
      options.onRoleChange?.(change.id, change.member, change.role);
    }
    return result;
  }

  /** The role a newcomer of `address` gets; may displace an introducer of an address above its share. */
  function admit(room: Room<M>, address: string): MemberRole {
    if (room.introducers.size < options.maxIntroducersPerRoom) return 'introducer';
    if (room.introducersOf.count(address) >= share) return 'guest';
    const displaced = pickIntroducerToDisplace(room, share);
    if (displaced === undefined) return 'guest';
    changeRole(room, displaced, 'guest');
    return 'introducer';
  }

  function rotateRoom(room: Room<M>, now: number): number {
    let swaps = 0;
    const handedOver = new Set<NodeId>();
    for (const id of [...room.introducers.inOrder()]) {
      const entry = room.members.get(id);
      if (!entry || now - entry.sinceMs < termMs) continue;
      const next = pickGuestToPromote(room, share, { exclude: handedOver, leavingAddress: entry.address, allowOverShare: false });
      if (next === undefined) break;
      changeRole(room, id, 'guest');
      changeRole(room, next, 'introducer');
      handedOver.add(id);
      swaps++;
    }
    return swaps;
  }

  function refusal(roomName: string, address: string): 'address-limit' | 'server-full' | 'room-full' | undefined {
    const roomsOfThis = roomsOfAddress.get(address);
    if (!roomsOfThis?.has(roomName) && (roomsOfThis?.size ?? 0) >= (options.maxRoomsPerAddress ?? Infinity)) {
      return 'address-limit';
    }
    const room = rooms.get(roomName);
    if (!room) return rooms.size >= options.maxRooms ? 'server-full' : undefined;
    return room.members.size >= options.maxMembersPerRoom ? 'room-full' : undefined;
  }

  function join(roomName: string, id: NodeId, member: M, address: string): JoinResult {
    const refused = refusal(roomName, address);
    if (refused === 'address-limit' || refused === 'server-full') return refused;
    let room = rooms.get(roomName);
    if (!room) {
      room = { members: new Map(), introducers: createMemberTier(), guests: createMemberTier(), introducersOf: createKeyedCounter() };
      rooms.set(roomName, room);
    }
    if (room.members.has(id)) return 'id-in-use';
    if (room.members.size >= options.maxMembersPerRoom) return 'room-full';
    const role = admit(room, address);
    const entry: RoomMember<M> = { member, role, address, sinceMs: nowMs() };
    room.members.set(id, entry);
    count(room, id, entry, 1);
    addressRooms(address, roomName, 1);
    return role;
  }

  function leave(roomName: string, id: NodeId, member: M): { id: NodeId; member: M } | undefined {
    const room = rooms.get(roomName);
    const entry = room?.members.get(id);
    if (!room || !entry || entry.member !== member) return undefined;
    room.members.delete(id);
    count(room, id, entry, -1);
    addressRooms(entry.address, roomName, -1);
    if (room.members.size === 0) {
      rooms.delete(roomName);
      return undefined;
    }
    if (entry.role !== 'introducer' || room.introducers.size >= options.maxIntroducersPerRoom) return undefined;
    const next = pickGuestToPromote(room, share, { allowOverShare: true });
    const promoted = next === undefined ? undefined : room.members.get(next);
    if (next === undefined || !promoted) return undefined;
    changeRole(room, next, 'introducer');
    return { id: next, member: promoted.member };
  }

  function rotate(): number {
    if (termMs === Infinity) return 0;
    const now = nowMs();
    let swaps = 0;
    for (const room of rooms.values()) if (room.guests.size > 0) swaps += rotateRoom(room, now);
    return swaps;
  }

  return {
    join: (roomName, id, member, address = '') => reporting(() => join(roomName, id, member, address)),
    leave: (roomName, id, member) => reporting(() => leave(roomName, id, member)),
    rotate: () => reporting(rotate),
    refusal: (roomName, address = '') => refusal(roomName, address),

    get(roomName, id) {
      return rooms.get(roomName)?.members.get(id)?.member;
    },

    role(roomName, id) {
      return rooms.get(roomName)?.members.get(id)?.role;
    },

    introduce(roomName, self, count) {
      const room = rooms.get(roomName);
      if (!room) return [];
      // Introducers and guests alternate, introducers first: a newcomer dials the first one or two, so it reaches
      // the established mesh through an introducer and, in a burst of joins, also a fellow newcomer (which has room
      // for links while every introducer's links are young and cannot be shed yet).
      const introducers = room.introducers.sample(count, self, options.randomInt);
      const guests = room.guests.sample(count, self, options.randomInt);
      const picked: NodeId[] = [];
      for (let i = 0; picked.length < count && (i < introducers.length || i < guests.length); i++) {
        const introducer = introducers[i];
        const guest = guests[i];
        if (introducer !== undefined) picked.push(introducer);
        if (guest !== undefined && picked.length < count) picked.push(guest);
      }
      return picked;
    },

    roomStats(roomName) {
      const room = rooms.get(roomName);
      return { introducers: room?.introducers.size ?? 0, guests: room?.guests.size ?? 0 };
    },

    stats() {
      return { rooms: rooms.size, members: totals.introducers + totals.guests, ...totals };
    },
  };
}
