/** Shapes shared by the room registry and its introducer choices. */
import type { NodeId } from '../src/identity/keys';
import type { KeyedCounter } from './address';
import type { MemberTier } from './member-tier';

/** A member's role in its room. */
export type MemberRole = 'introducer' | 'guest';

/** One member of a room, as the registry keeps it. */
export interface RoomMember<M> {
  member: M;
  role: MemberRole;
  /** What the per-address limits count this member under. */
  address: string;
  /** When the member took its current role (an introducer's term starts here). */
  sinceMs: number;
}

/** One room: its members by id, each role's tier (join order, sampling), and introducers per address. */
export interface Room<M> {
  members: Map<NodeId, RoomMember<M>>;
  introducers: MemberTier;
  guests: MemberTier;
  introducersOf: KeyedCounter;
}
