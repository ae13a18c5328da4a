/**
 * The seam through which test tools watch the meshes of a page: when a test has put a function at
 * `globalThis.__starmeshTestHook` (the Playwright fixture does, in an init script), `joinMesh` hands it each new
 * mesh. Without it nothing happens and nothing is kept, so production pages pay nothing.
 */
import type { Mesh } from './mesh';

/** The global a test tool sets. */
export const TEST_HOOK_NAME = '__starmeshTestHook';

/** Hands `mesh` to the test hook, if one is installed; a hook that throws is reported and ignored. */
export function announceMesh(mesh: Mesh): void {
  const hook = (globalThis as Record<string, unknown>)[TEST_HOOK_NAME];
  if (typeof hook !== 'function') return;
  try {
    (hook as (mesh: Mesh) => void)(mesh);
  } catch (error) {
    console.error('starmesh: the test hook threw', error);
  }
}
