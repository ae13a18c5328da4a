/** The one error type of the public API: every failure has a stable `code` to branch on (messages may change). */

/**
 * Why something failed:
 * - `bad-config`: `joinMesh` was given an unusable room, signal URL, ICE server list, option or key pair;
 * - `bad-payload`: the data is not a string, a JSON value or a `Uint8Array` (or is nested too deeply);
 * - `bad-target`: `send` to something that is not a member ID, or to this node itself;
 * - `too-large`: the encoded message is over the mesh's 256 KiB limit;
 * - `unreachable`: no route to the member (not, or no longer, in the mesh);
 * - `timeout`: the member did not acknowledge in time (after the router's retries);
 * - `stopped`: the node has left (`leave()`), so it sends nothing and `ready` will never come.
 */
export type MeshErrorCode = 'bad-config' | 'bad-payload' | 'bad-target' | 'too-large' | 'unreachable' | 'timeout' | 'stopped';

/** A failure of the Starmesh API, with a stable `code`. */
export class MeshError extends Error {
  /** What went wrong, stable across versions. */
  readonly code: MeshErrorCode;

  constructor(code: MeshErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'MeshError';
    this.code = code;
  }
}

/** True for a `MeshError` (also one from another copy of the library, by shape). */
export function isMeshError(error: unknown): error is MeshError {
  return error instanceof MeshError || (error instanceof Error && error.name === 'MeshError' && typeof (error as { code?: unknown }).code === 'string');
}
