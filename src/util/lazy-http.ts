/**
 * node:http, loaded when a server starts. Every command loads the whole program, and importing
 * node:http as a module also loads Node's fetch implementation (the module's lazy exports are read
 * when it is linked): about 60 ms of every command's start, measured on the 2-core container, for
 * something only the dashboard and the scripted model use.
 */
export const loadHttp = (): Promise<typeof import('node:http')> => import('node:http');
