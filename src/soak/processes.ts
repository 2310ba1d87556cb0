export { liveProcessesMentioning } from '../process/proc-scan.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
