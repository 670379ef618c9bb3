package io.coffer.redis;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Opens connections to Redis nodes with bounded connect and read timeouts, and turns their
 * failures into {@link RedisAccessException}s that name the node. Endpoints that expect TLS are
 * reached with the socket factory given (one trusting Coffer's certificate authority).
 */
public final class RedisConnections {

	public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

	public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(10);

	private final Duration connectTimeout;

	private final Duration socketTimeout;

	private final Supplier<SSLSocketFactory> tls;

	public RedisConnections() {
		this(DEFAULT_CONNECT_TIMEOUT, DEFAULT_SOCKET_TIMEOUT);
	}

	public RedisConnections(Duration connectTimeout, Duration socketTimeout) {
		this(connectTimeout, socketTimeout, null);
	}

	/**
	 * @param tls the socket factory for endpoints that expect TLS, asked for at each such connection
	 * (so that the authority is only loaded once a database needs it); null to refuse them
	 */
	public RedisConnections(Duration connectTimeout, Duration socketTimeout, Supplier<SSLSocketFactory> tls) {
		this.connectTimeout = connectTimeout;
		this.socketTimeout = socketTimeout;
		this.tls = tls;
	}

	/** The same timeouts, with TLS through {@code tls}. */
	public RedisConnections withTls(Supplier<SSLSocketFactory> tls) {
		return new RedisConnections(this.connectTimeout, this.socketTimeout, tls);
	}

	public Duration connectTimeout() {
		return this.connectTimeout;
	}

	public Duration socketTimeout() {
		return this.socketTimeout;
	}

	/** A connected and authenticated client; the caller closes it. */
	public Jedis open(RedisEndpoint endpoint) {
		Jedis jedis = null;
		try {
			jedis = connect(endpoint);
			jedis.ping();
			return jedis;
		}
		catch (RuntimeException ex) {
			if (jedis != null) {
				closeQuietly(jedis);
			}
			throw describe(endpoint, ex);
		}
	}

	/**
	 * A connected and authenticated client that has sent no command yet: for a node loading a dump,
	 * which answers {@code INFO} then but not {@code PING}. The caller closes it.
	 */
	public Jedis connect(RedisEndpoint endpoint) {
		DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder();
		if (endpoint.tls()) {
			builder.ssl(true).sslSocketFactory(socketFactory(endpoint));
		}
		DefaultJedisClientConfig config = builder
			.user(endpoint.user())
			.password(endpoint.password())
			.connectionTimeoutMillis((int) this.connectTimeout.toMillis())
			.socketTimeoutMillis((int) this.socketTimeout.toMillis())
			// CLIENT SETINFO only exists from Redis 7.2 on
			.clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
			.build();
		try {
			return new Jedis(endpoint.host(), endpoint.port(), config);
		}
		catch (RuntimeException ex) {
			throw describe(endpoint, ex);
		}
	}

	/** Runs {@code action} on a fresh connection, closes it, and names the node in any failure. */
	public <T> T call(RedisEndpoint endpoint, Function<Jedis, T> action) {
		try (Jedis jedis = open(endpoint)) {
			return action.apply(jedis);
		}
		catch (RedisAccessException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throw describe(endpoint, ex);
		}
	}

	/** Whether the node answers {@code PING} at the endpoint, as it describes (password, TLS or not). */
	public boolean answers(RedisEndpoint endpoint) {
		try {
			call(endpoint, Jedis::ping);
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * The endpoint the node answers at now: the one given, or else the same with TLS the other way round
	 * (while TLS is being forced or turned off, what is recorded may not say it yet). Empty when neither
	 * answers.
	 */
	public Optional<RedisEndpoint> answering(RedisEndpoint endpoint) {
		if (answers(endpoint)) {
			return Optional.of(endpoint);
		}
		RedisEndpoint otherWay = endpoint.withTls(!endpoint.tls());
		return answers(otherWay) ? Optional.of(otherWay) : Optional.empty();
	}

	/**
	 * A connection for protocols Jedis does not speak (the replication stream): plain TCP, or TLS with
	 * its handshake done when the endpoint expects it.
	 */
	public Socket openSocket(RedisEndpoint endpoint, Duration readTimeout) {
		SSLSocketFactory factory = endpoint.tls() ? socketFactory(endpoint) : null;
		Socket socket = new Socket();
		try {
			socket.setSoTimeout((int) readTimeout.toMillis());
			socket.setKeepAlive(true);
			socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) this.connectTimeout.toMillis());
			if (factory == null) {
				return socket;
			}
			SSLSocket secured = (SSLSocket) factory.createSocket(socket, endpoint.host(), endpoint.port(), true);
			secured.startHandshake();
			return secured;
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw describe(endpoint, ex);
		}
	}

	/** Turns a client failure into a sentence that names the node. */
	public static RedisAccessException describe(RedisEndpoint endpoint, Throwable failure) {
		if (failure instanceof RedisAccessException access) {
			return access;
		}
		String at = "Redis at " + endpoint.address();
		Throwable cause = rootCause(failure);
		if (failure instanceof JedisAccessControlException || failure instanceof JedisDataException) {
			return describeErrorReply(endpoint, failure.getMessage(), failure);
		}
		if (cause instanceof ConnectException) {
			return new RedisAccessException(RedisAccessException.UNREACHABLE,
					"cannot reach " + at + ": connection refused", failure);
		}
		if (cause instanceof UnknownHostException) {
			return new RedisAccessException(RedisAccessException.UNREACHABLE,
					"cannot reach " + at + ": unknown host " + endpoint.host(), failure);
		}
		if (cause instanceof NoRouteToHostException) {
			return new RedisAccessException(RedisAccessException.UNREACHABLE,
					"cannot reach " + at + ": no route to host", failure);
		}
		if (cause instanceof SocketTimeoutException) {
			return new RedisAccessException(RedisAccessException.TIMEOUT, at + " did not answer in time", failure);
		}
		if (failure instanceof JedisConnectionException && !(cause instanceof IOException) && isUnknownReply(failure)) {
			// what the port said stays out of the sentence: it may be another service's banner or secrets
			return notRedis(endpoint, failure);
		}
		if (failure instanceof JedisConnectionException || cause instanceof IOException) {
			return new RedisAccessException(RedisAccessException.UNREACHABLE,
					"cannot reach " + at + ": " + cause.getMessage(), failure);
		}
		return new RedisAccessException(RedisAccessException.REFUSED, at + " failed: " + failure.getMessage(), failure);
	}

	/** The sentence for an address where something answered, but not Redis. */
	public static RedisAccessException notRedis(RedisEndpoint endpoint, Throwable failure) {
		return new RedisAccessException(RedisAccessException.NOT_REDIS, endpoint.address() + " is not a Redis server",
				failure);
	}

	/** Jedis's words for a first byte that no Redis reply starts with. */
	private static boolean isUnknownReply(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			if (cause.getMessage() != null && cause.getMessage().startsWith("Unknown reply")) {
				return true;
			}
		}
		return false;
	}

	/** Names what an error reply of Redis means, e.g. {@code WRONGPASS ...}. */
	public static RedisAccessException describeErrorReply(RedisEndpoint endpoint, String reply, Throwable failure) {
		String at = "Redis at " + endpoint.address();
		String text = (reply != null) ? reply : "";
		if (text.startsWith("WRONGPASS") || text.contains("invalid password") || text.contains("invalid username-password")) {
			return new RedisAccessException(RedisAccessException.AUTH_FAILED, at + ": wrong password", failure);
		}
		if (text.startsWith("NOAUTH")) {
			return new RedisAccessException(RedisAccessException.AUTH_FAILED,
					at + ": it requires a password and none is configured", failure);
		}
		if (text.contains("without any password configured")) {
			return new RedisAccessException(RedisAccessException.AUTH_FAILED,
					at + ": a password was given but the node has none configured", failure);
		}
		return new RedisAccessException(RedisAccessException.REFUSED, at + " refused: " + text, failure);
	}

	private SSLSocketFactory socketFactory(RedisEndpoint endpoint) {
		if (this.tls == null) {
			throw new RedisAccessException(RedisAccessException.REFUSED,
					"Redis at " + endpoint.address() + " expects TLS, and this connection has no certificate to trust");
		}
		return this.tls.get();
	}

	/** The innermost cause; Jedis hides the socket's exception as a suppressed one when connecting. */
	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (true) {
			if (cause.getCause() != null && cause.getCause() != cause) {
				cause = cause.getCause();
			}
			else if (cause.getSuppressed().length > 0) {
				cause = cause.getSuppressed()[0];
			}
			else {
				return cause;
			}
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// nothing more to tell: the original failure is what matters
		}
	}

}
