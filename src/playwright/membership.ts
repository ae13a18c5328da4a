/**
 * Membership assertions shared by the published fixture and the repo's e2e fixtures: they poll what each node
 * reports (`expect.poll`, never fixed sleeps) with one bound for all nodes.
 */
import { expect } from '@playwright/test';
import { PATIENT_MS } from './pages';

/** What the assertions need of a node: its position, its ID and its member list. */
export interface MemberView {
  index: number;
  id: string;
  peers(): Promise<ReadonlyArray<{ id: string; state: string }>>;
}

/** Options of the membership polls. */
export interface PollOptions {
  /** Upper bound of the wait, default `PATIENT_MS`. */
  timeoutMs?: number;
  /** Only count peers in these states (default: every row of `peers()`). */
  states?: string[];
}

/** Sorted IDs of `node`'s peers, optionally only those in `states`. */
export async function peerIds(node: MemberView, states?: string[]): Promise<string[]> {
  const rows = await node.peers();
  return rows.filter((p) => !states || states.includes(p.state)).map((p) => p.id).sort();
}

/**
 * Waits until every node knows every other node (and no one else): one poll over all nodes with one bound, so the
 * wait never grows with the number of nodes. On failure the message lists each node that is still wrong.
 */
export async function expectFullMembership(nodes: readonly MemberView[], options: PollOptions = {}): Promise<void> {
  const wrong = async (): Promise<string[]> => {
    const lists = await Promise.all(nodes.map((node) => peerIds(node, options.states)));
    return nodes.flatMap((node, i) => {
      const expected = nodes.filter((n) => n !== node).map((n) => n.id).sort();
      const listed = lists[i] ?? [];
      if (JSON.stringify(listed) === JSON.stringify(expected)) return [];
      const missing = expected.filter((id) => !listed.includes(id)).length;
      const extra = listed.filter((id) => !expected.includes(id)).length;
      return [`node ${node.index} lists ${listed.length} (${missing} missing, ${extra} extra)`];
    });
  };
  const states = options.states ? ` (${options.states.join('/')})` : '';
  await expect
    .poll(wrong, { message: `full membership of ${nodes.length} nodes${states}`, timeout: options.timeoutMs ?? PATIENT_MS })
    .toEqual([]);
}
