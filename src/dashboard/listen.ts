/**
 * Where the dashboard listens and the one line that says so. Loopback unless a host is asked for
 * explicitly (then a warning: anyone who can reach it and has the token controls the run). The
 * port asked for, or the next free one; 0 takes any free port. The URL names the address a person
 * can actually open: over SSH, the machine's own address rather than 0.0.0.0.
 */
import type { Server } from 'node:http';
import { hostname } from 'node:os';

/** How many ports after the one asked for are tried before giving up. */
const PORT_TRIES = 50;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function tryListen(server: Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Listens on `port` or the next free one (0: any); returns the port taken. */
export async function listenNear(server: Server, host: string, port: number): Promise<number> {
  const tries = port === 0 ? 1 : PORT_TRIES;
  for (let offset = 0; offset < tries && port + offset <= 65535; offset++) {
    if (await tryListen(server, host, port === 0 ? 0 : port + offset)) {
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port + offset;
    }
  }
  throw new Error(`no free port for the dashboard on ${host} from ${port} to ${Math.min(65535, port + tries - 1)}`);
}

/** The host a browser should use: a wildcard address becomes this machine's address (over SSH, the one dialled). */
export function displayHost(host: string, env: NodeJS.ProcessEnv): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return host.includes(':') ? `[${host}]` : host;
  const sshServer = env.SSH_CONNECTION?.trim().split(/\s+/)[2];
  return sshServer ? (sshServer.includes(':') ? `[${sshServer}]` : sshServer) : hostname();
}

export function dashboardUrl(host: string, port: number, token: string, env: NodeJS.ProcessEnv): string {
  return `http://${displayHost(host, env)}:${port}/?token=${encodeURIComponent(token)}`;
}

/** What to print besides the URL: a warning for a host others can reach, a tunnel hint over SSH. */
export function listenNotes(host: string, port: number, env: NodeJS.ProcessEnv): string[] {
  const notes: string[] = [];
  if (!isLoopback(host))
    notes.push(
      `warning: the dashboard listens on ${host}: anyone who can reach this machine on port ${port} ` +
        'and has the token can read the run and control it',
    );
  else if (env.SSH_CONNECTION)
    notes.push(`(over SSH: forward the port first, e.g. ssh -L ${port}:127.0.0.1:${port} ${hostname()})`);
  return notes;
}
