export { startBrowserNode } from '../browser/start-browser-node';
