/**
 * `starmesh/playwright`: Playwright tests of pages that use Starmesh. `test` has a `mesh` fixture that starts a
 * signaling server per test and opens tabs that join one room (see docs/playwright.md); `expect` is Playwright's.
 * The helpers below are what the fixture is built from, for tests that need their own fixtures.
 */
export { test, expect, type MeshFixture, type OpenOptions, type StarmeshFixtureOptions, type StarmeshFixtures, type StarmeshTestOptions, type Tabs } from './fixture';
export type { MeshTab } from './mesh-tab';
export { chromiumArgs, chromiumExecutablePath } from './chromium';
export { expectFullMembership, peerIds, type MemberView, type PollOptions } from './membership';
export { absoluteUrl, attachLogsOnFailure, openPage, PATIENT_MS, uniqueRoom, type ContextSetup, type OpenedPage } from './pages';
