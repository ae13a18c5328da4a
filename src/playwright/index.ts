export { chromiumArgs, chromiumExecutablePath } from './chromium';
