/**
 * Room membership for the signaling server, independent of sockets: join with caps, leave (empty rooms are
 * deleted, so memory is bounded by the caps), look up a member, and pick random introductions.
 *
 * This is the one place that decides who is in a room. The planned next step (signaling moves into the mesh and
 * the server keeps only a pool of "introducers" per room, default 8) is a cap added here: `join` would admit up to
 * `maxIntroducersPerRoom` and refuse or rotate the rest, without touching the socket code.
 */
import type { NodeId } from '../src/identity/keys';

/** Caps and the random source of a registry. */
export interface RoomRegistryOptions {
  /** Largest number of rooms alive at once. */
  maxRooms: number;
  /** Largest number of members in one room. */
  maxMembersPerRoom: number;
  /** Uniform integer in [0, maxExclusive). Injected so tests can be deterministic. */
  randomInt: (maxExclusive: number) => number;
}

/** Outcome of a join attempt; the failures are protocol error codes. */
export type JoinResult = 'ok' | 'id-in-use' | 'room-full' | 'server-full';

/** Membership of all rooms of one server instance; `M` is whatever the server attaches to a member. */
export interface RoomRegistry<M> {
  join(room: string, id: NodeId, member: M): JoinResult;
  /** Removes `id` from `room` if `member` is the one registered (a stale leave never evicts a newer member). */
  leave(room: string, id: NodeId, member: M): void;
  get(room: string, id: NodeId): M | undefined;
  /** Up to `count` distinct random member ids of `room`, excluding `self`; uniform, in random order. */
  introduce(room: string, self: NodeId, count: number): NodeId[];
  stats(): { rooms: number; members: number };
}

/** One room: members by id plus a dense id array, so sampling is O(count) and removal O(1). */
interface Room<M> {
  members: Map<NodeId, { member: M; index: number }>;
  ids: NodeId[];
}

/** Creates an empty registry. */
export function createRoomRegistry<M>(options: RoomRegistryOptions): RoomRegistry<M> {
  const rooms = new Map<string, Room<M>>();
  let memberCount = 0;

  return {
    join(roomName, id, member) {
      let room = rooms.get(roomName);
      if (!room) {
        if (rooms.size >= options.maxRooms) return 'server-full';
        room = { members: new Map(), ids: [] };
        rooms.set(roomName, room);
      }
      if (room.members.has(id)) return 'id-in-use';
      if (room.ids.length >= options.maxMembersPerRoom) return 'room-full';
      room.members.set(id, { member, index: room.ids.length });
      room.ids.push(id);
      memberCount++;
      return 'ok';
    },

    leave(roomName, id, member) {
      const room = rooms.get(roomName);
      const entry = room?.members.get(id);
      if (!room || !entry || entry.member !== member) return;
      // Swap-remove keeps `ids` dense.
      const lastId = room.ids.pop();
      if (lastId !== undefined && lastId !== id) {
        room.ids[entry.index] = lastId;
        const moved = room.members.get(lastId);
        if (moved) moved.index = entry.index;
      }
      room.members.delete(id);
      memberCount--;
      if (room.ids.length === 0) rooms.delete(roomName);
    },

    get(roomName, id) {
      return rooms.get(roomName)?.members.get(id)?.member;
    },

    introduce(roomName, self, count) {
      const room = rooms.get(roomName);
      if (!room) return [];
      const selfIndex = room.members.get(self)?.index;
      const candidates = room.ids.length - (selfIndex === undefined ? 0 : 1);
      const picked = sampleIndices(candidates, Math.min(Math.max(0, Math.floor(count)), candidates), options.randomInt);
      // Indices are over the ids without `self`: shift the ones at or past self's slot by one.
      return picked.map((i) => room.ids[selfIndex !== undefined && i >= selfIndex ? i + 1 : i] ?? '');
    },

    stats() {
      return { rooms: rooms.size, members: memberCount };
    },
  };
}

/**
 * `k` distinct uniform indices from [0, n) in uniform random order: Floyd's sampling (O(k)) followed by a
 * Fisher–Yates shuffle of the k picks, since Floyd's order is not uniform.
 */
export function sampleIndices(n: number, k: number, randomInt: (maxExclusive: number) => number): number[] {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = randomInt(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const out = [...chosen];
  for (let i = out.length - 1; i > 0; i--) {
    const r = randomInt(i + 1);
    const tmp = out[i] as number;
    out[i] = out[r] as number;
    out[r] = tmp;
  }
  return out;
}
