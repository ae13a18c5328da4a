/**
 * Entry of the widget build (`npm run build:widget` → dist/widget/starmesh-widget.js and .iife.js): registers
 * `<starmesh-widget>` once, even if the file is loaded twice.
 */
import { StarmeshWidget } from './starmesh-widget';

export { StarmeshWidget };
export type { StarmeshWidgetEventMap } from './widget-events';

/** The tag name. */
export const TAG_NAME = 'starmesh-widget';

if (!customElements.get(TAG_NAME)) customElements.define(TAG_NAME, StarmeshWidget);

declare global {
  interface HTMLElementTagNameMap {
    'starmesh-widget': StarmeshWidget;
  }
}
