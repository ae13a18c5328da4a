/**
 * Room membership for the signaling server, independent of sockets: join with caps, leave (empty rooms are
 * deleted, so memory is bounded by the caps), look up a member, and pick introductions.
 *
 * This is the one place that decides who is in a room and in which role. The first `maxIntroducersPerRoom`
 * members of a room are its *introducers*: the server keeps their sockets and introduces newcomers to them.
 * Everyone else is a *guest*, kept only until it reaches the mesh (the session enforces the guest's lease). When
 * an introducer leaves, the guest that joined first takes its place.
 */
import type { NodeId } from '../src/identity/keys';
import { createMemberTier, type MemberTier } from './member-tier';

/** Caps and the random source of a registry. */
export interface RoomRegistryOptions {
  /** Largest number of rooms alive at once. */
  maxRooms: number;
  /** Largest number of members (introducers and guests) in one room. */
  maxMembersPerRoom: number;
  /** Largest number of introducers in one room; the other members are guests. */
  maxIntroducersPerRoom: number;
  /** Uniform integer in [0, maxExclusive). Injected so tests can be deterministic. */
  randomInt: (maxExclusive: number) => number;
}

/** A member's role in its room. */
export type MemberRole = 'introducer' | 'guest';

/** Outcome of a join attempt: the new member's role, or a protocol error code. */
export type JoinResult = MemberRole | 'id-in-use' | 'room-full' | 'server-full';

/** Introducers and guests, in one room or in all of them. */
export interface RoleCounts {
  introducers: number;
  guests: number;
}

/** Membership of all rooms of one server instance; `M` is whatever the server attaches to a member. */
export interface RoomRegistry<M> {
  join(room: string, id: NodeId, member: M): JoinResult;
  /**
   * Removes `id` from `room` if `member` is the one registered (a stale leave never evicts a newer member). When
   * an introducer leaves, the oldest guest becomes an introducer and is returned, so the caller can tell it.
   */
  leave(room: string, id: NodeId, member: M): { id: NodeId; member: M } | undefined;
  get(room: string, id: NodeId): M | undefined;
  role(room: string, id: NodeId): MemberRole | undefined;
  /**
   * Up to `count` distinct member ids of `room`, excluding `self`: random introducers and random guests,
   * alternating, an introducer first; whichever role runs short, the other fills the rest. Uniform within each role.
   */
  introduce(room: string, self: NodeId, count: number): NodeId[];
  /** Role counts of one room (zero for a room that does not exist). */
  roomStats(room: string): RoleCounts;
  stats(): { rooms: number; members: number } & RoleCounts;
}

interface Room<M> {
  members: Map<NodeId, { member: M; role: MemberRole }>;
  introducers: MemberTier;
  guests: MemberTier;
}

/** Creates an empty registry. */
export function createRoomRegistry<M>(options: RoomRegistryOptions): RoomRegistry<M> {
  const rooms = new Map<string, Room<M>>();
  const totals: RoleCounts = { introducers: 0, guests: 0 };

  function tier(room: Room<M>, role: MemberRole): MemberTier {
    return role === 'introducer' ? room.introducers : room.guests;
  }

  function add(room: Room<M>, id: NodeId, member: M, role: MemberRole): void {
    room.members.set(id, { member, role });
    tier(room, role).add(id);
    totals[role === 'introducer' ? 'introducers' : 'guests']++;
  }

  function remove(room: Room<M>, id: NodeId, role: MemberRole): void {
    room.members.delete(id);
    tier(room, role).remove(id);
    totals[role === 'introducer' ? 'introducers' : 'guests']--;
  }

  /** Moves the oldest guest into a free introducer slot. */
  function promoteOldestGuest(room: Room<M>): { id: NodeId; member: M } | undefined {
    if (room.introducers.size >= options.maxIntroducersPerRoom) return undefined;
    const id = room.guests.oldest();
    const entry = id === undefined ? undefined : room.members.get(id);
    if (id === undefined || !entry) return undefined;
    remove(room, id, 'guest');
    add(room, id, entry.member, 'introducer');
    return { id, member: entry.member };
  }

  return {
    join(roomName, id, member) {
      let room = rooms.get(roomName);
      if (!room) {
        if (rooms.size >= options.maxRooms) return 'server-full';
        room = { members: new Map(), introducers: createMemberTier(), guests: createMemberTier() };
        rooms.set(roomName, room);
      }
      if (room.members.has(id)) return 'id-in-use';
      if (room.members.size >= options.maxMembersPerRoom) return 'room-full';
      const role: MemberRole = room.introducers.size < options.maxIntroducersPerRoom ? 'introducer' : 'guest';
      add(room, id, member, role);
      return role;
    },

    leave(roomName, id, member) {
      const room = rooms.get(roomName);
      const entry = room?.members.get(id);
      if (!room || !entry || entry.member !== member) return undefined;
      remove(room, id, entry.role);
      if (room.members.size === 0) {
        rooms.delete(roomName);
        return undefined;
      }
      return entry.role === 'introducer' ? promoteOldestGuest(room) : undefined;
    },

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
