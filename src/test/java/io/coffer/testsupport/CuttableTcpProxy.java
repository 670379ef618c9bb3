package io.coffer.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on a free local port that a test can cut: after a given number of bytes have gone
 * through in one direction, every connection is dropped and new ones are refused. It makes "the node
 * died in the middle of the transfer" or "storage went away during the upload" happen at an exact
 * point instead of at whatever moment a kill lands. It can also stall: connections stay open and are
 * accepted, but nothing goes through until it resumes (a server that hangs rather than goes away).
 */
public final class CuttableTcpProxy implements AutoCloseable {

	private final ServerSocket server;

	private final String targetHost;

	private final int targetPort;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final AtomicLong upstreamBytes = new AtomicLong();

	private final AtomicLong downstreamBytes = new AtomicLong();

	private volatile long cutUpstreamAfter = Long.MAX_VALUE;

	private volatile long cutDownstreamAfter = Long.MAX_VALUE;

	private volatile boolean cut;

	private volatile boolean stalled;

	private final Object stall = new Object();

	private final AtomicLong refused = new AtomicLong();

	public CuttableTcpProxy(String targetHost, int targetPort) throws IOException {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		this.server = new ServerSocket();
		this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		Thread acceptor = new Thread(this::accept, "proxy-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public int port() {
		return this.server.getLocalPort();
	}

	/** Drops everything once this many more bytes have gone from clients to the target. */
	public void cutAfterUpstreamBytes(long bytes) {
		this.cutUpstreamAfter = this.upstreamBytes.get() + bytes;
	}

	/** Drops everything once this many more bytes have come from the target to clients. */
	public void cutAfterDownstreamBytes(long bytes) {
		this.cutDownstreamAfter = this.downstreamBytes.get() + bytes;
	}

	public boolean isCut() {
		return this.cut;
	}

	/** Connections closed at once because the link was cut: the client tried, and was refused. */
	public long refusedConnections() {
		return this.refused.get();
	}

	/** Holds every byte from now on, in both directions, without closing anything, until {@link #resume()}. */
	public void stall() {
		this.stalled = true;
	}

	public void resume() {
		synchronized (this.stall) {
			this.stalled = false;
			this.stall.notifyAll();
		}
	}

	/** Forwards again, from a clean slate. */
	public void heal() {
		this.cutUpstreamAfter = Long.MAX_VALUE;
		this.cutDownstreamAfter = Long.MAX_VALUE;
		this.cut = false;
		resume();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				if (this.cut) {
					client.close();
					this.refused.incrementAndGet();
					continue;
				}
				Socket target = new Socket(this.targetHost, this.targetPort);
				this.sockets.add(client);
				this.sockets.add(target);
				pump(client, target, this.upstreamBytes, true);
				pump(target, client, this.downstreamBytes, false);
			}
			catch (IOException ex) {
				// closed, or the target refused: the client sees its connection drop
			}
		}
	}

	private void pump(Socket from, Socket to, AtomicLong counter, boolean upstream) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while (!this.cut && (read = in.read(buffer)) >= 0) {
					awaitNotStalled();
					long limit = upstream ? this.cutUpstreamAfter : this.cutDownstreamAfter;
					long before = counter.get();
					int allowed = (int) Math.max(0, Math.min(read, limit - before));
					out.write(buffer, 0, allowed);
					counter.addAndGet(allowed);
					if (allowed < read) {
						cutAll();
						return;
					}
				}
			}
			catch (IOException ex) {
				// one side went away
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitNotStalled() throws IOException {
		synchronized (this.stall) {
			while (this.stalled && !this.cut) {
				try {
					this.stall.wait();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new java.io.InterruptedIOException("interrupted while stalled");
				}
			}
		}
	}

	private void cutAll() {
		this.cut = true;
		synchronized (this.stall) {
			this.stall.notifyAll();
		}
		this.sockets.forEach(CuttableTcpProxy::closeQuietly);
		this.sockets.clear();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		cutAll();
		this.server.close();
	}

}
