package io.redtask.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a free loopback port that a fault test puts between a client and a server and
 * controls: {@link #cut()} drops every connection and refuses new ones until {@link #restore()};
 * {@link #dropReplies(boolean)} swallows what the server sends (the client's commands still
 * arrive and run: a lost reply); {@link #latency(long)} delays everything it forwards. Loopback
 * only; its threads are daemons and {@link #close()} ends them.
 */
public final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cut = new AtomicBoolean();
    private final AtomicBoolean dropReplies = new AtomicBoolean();
    private final AtomicLong latencyMillis = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean closed;

    private TcpProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy to {@code targetPort} on loopback. */
    public static TcpProxy to(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a proxy port: " + e.getMessage(), e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code redis://127.0.0.1:<port>}: the proxy as a Redis URL. */
    public String redisUrl() {
        return "redis://127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    /** Drops every open connection and refuses new ones (a network partition). */
    public void cut() {
        cut.set(true);
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    /** Lets connections through again. */
    public void restore() {
        cut.set(false);
    }

    /** While on, bytes from the server are read and thrown away: requests run, replies are lost. */
    public void dropReplies(boolean on) {
        dropReplies.set(on);
    }

    /** Delays each chunk forwarded in either direction by {@code millis}. */
    public void latency(long millis) {
        latencyMillis.set(millis);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut.get()) {
                closeQuietly(client);
                continue;
            }
            connections.incrementAndGet();
            try {
                Socket server = new Socket();
                server.connect(target, 2_000);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            long delay = latencyMillis.get();
                            if (delay > 0) {
                                TimeUnit.MILLISECONDS.sleep(delay);
                            }
                            if (cut.get()) {
                                break;
                            }
                            if (replies && dropReplies.get()) {
                                continue;
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // the other side closed, or the test cut the connection
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "tcp-proxy-pump-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        cut();
    }
}
