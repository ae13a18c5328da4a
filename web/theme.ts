/**
 * Light/dark theme: follows `prefers-color-scheme` until the visitor picks one with the toggle; the choice is kept
 * in localStorage (when the browser allows it) and applied as `data-theme` on the root element.
 */

/** The visitor's choice. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const STORAGE_KEY = 'starmesh:theme';
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };

function readChoice(storage: Storage | undefined): ThemeChoice {
  try {
    const value = storage?.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    // Storage can be blocked (privacy settings): the system theme applies.
    return 'system';
  }
}

function apply(root: HTMLElement, button: HTMLButtonElement, choice: ThemeChoice): void {
  if (choice === 'system') delete root.dataset['theme'];
  else root.dataset['theme'] = choice;
  button.textContent = `Theme: ${choice}`;
  button.title = `Colour theme: ${choice}. Activate to switch to ${NEXT[choice]}.`;
}

/** Applies the saved choice and makes `button` cycle system → light → dark. */
export function initTheme(root: HTMLElement, button: HTMLButtonElement, storage: Storage | undefined): void {
  let choice = readChoice(storage);
  apply(root, button, choice);
  button.addEventListener('click', () => {
    choice = NEXT[choice];
    apply(root, button, choice);
    try {
      if (choice === 'system') storage?.removeItem(STORAGE_KEY);
      else storage?.setItem(STORAGE_KEY, choice);
    } catch {
      // Not kept across reloads, but applied now: nothing more to do.
    }
  });
}
