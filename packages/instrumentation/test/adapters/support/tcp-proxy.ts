import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a client and a broker, so a test can cut the connection mid-stream
 * without touching the broker other tests share. `cut()` destroys every open connection and
 * refuses new ones until `resume()`; the client's own reconnect logic must recover.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  resume(): void;
  /** Hold the broker's replies (the connection stays open) until `release()`: a slow broker. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const upstreams = new Set<Socket>();
  let refusing = false;
  let holding = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    upstreams.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      upstreams.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    if (holding) upstream.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    port,
    cut() {
      refusing = true;
      cutAll();
    },
    resume() {
      refusing = false;
    },
    hold() {
      holding = true;
      for (const upstream of upstreams) upstream.pause();
    },
    release() {
      holding = false;
      for (const upstream of upstreams) upstream.resume();
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
