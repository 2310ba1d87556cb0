export { processAlive, liveProcessesMentioning as processesMatching } from '../../src/process/proc-scan.js';
