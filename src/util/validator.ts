/**
 * zod as the harness uses it: schemas checked as they are, not first compiled into a function. The
 * harness validates each kind of document a handful of times per process (the configuration, the
 * state file, a saved snapshot), and compiling a schema costs more than it then saves: measured on
 * the 2-core container, the configuration's first validation took 17 ms compiled, 5 ms without.
 * Every module takes zod from here, so the setting holds before any schema is used.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
