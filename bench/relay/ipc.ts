import { spawn, type ChildProcess } from 'node:child_process';

// A request/response layer over Node's IPC channel, so the orchestrator can
// drive the server and the load generator, each in its own process on its
// own core, and wait for each step's answer.

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args: unknown;
}

type Reply = { id: number; result: unknown } | { id: number; error: string };

export type Handlers = Record<string, (args: never) => unknown>;

/** Child side: answers the parent's requests with `handlers`, and exits when the parent goes away. */
export function serve(handlers: Handlers): void {
  process.on('message', (message: Request) => {
    const handler = handlers[message.cmd] as ((args: unknown) => unknown) | undefined;
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        return handler(message.args);
      })
      .then(
        (result) => process.send!({ id: message.id, result } satisfies Reply),
        (error: unknown) => process.send!({ id: message.id, error: (error as Error)?.stack ?? String(error) } satisfies Reply),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Tells the parent the child is ready, with whatever it needs to know (a port). */
export function ready(info: Record<string, unknown> = {}): void {
  process.send!({ ready: true, ...info });
}

/** Parent side: a child process on one CPU core, started with `taskset`. */
export class Child {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  readonly ready: Promise<Record<string, unknown>>;
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    this.ready = new Promise((resolve, reject) => {
      proc.on('message', (message: Reply | ({ ready: true } & Record<string, unknown>)) => {
        if ('ready' in message) {
          resolve(message);
          return;
        }
        const waiter = this.pending.get(message.id);
        if (!waiter) return;
        this.pending.delete(message.id);
        if ('error' in message) waiter.reject(new Error(`${name}: ${message.error}`));
        else waiter.resolve(message.result);
      });
      proc.on('exit', (code, signal) => {
        this.exited = true;
        const error = new Error(`${name} exited (${code ?? signal})`);
        reject(error);
        for (const waiter of this.pending.values()) waiter.reject(error);
        this.pending.clear();
      });
    });
  }

  /**
   * Starts `node [nodeArgs] --import tsx script [args]` pinned to `core` (left
   * to the scheduler when undefined), with as many open files as the system allows.
   */
  static start(name: string, core: number | undefined, script: string, args: string[] = [], nodeArgs: string[] = []): Child {
    // Through a shell that raises the open-files limit to the hard limit: 10,000 idle connections need as many descriptors.
    const pin = core === undefined ? [] : ['taskset', '-c', String(core)];
    const command = [...pin, process.execPath, ...nodeArgs, '--import', 'tsx', script, ...args];
    const proc = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...command], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    return new Child(name, proc);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  call<T>(cmd: string, args: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.proc.send({ id, cmd, args } satisfies Request);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.disconnect();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }
}
