package io.coffer.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;

import io.coffer.redis.RedisEndpoint;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts Redis for a test class, e.g.
 * {@code @RegisterExtension static RedisExtension redis = RedisExtension.standalone().password("s3cret");}
 * <p>
 * In a static field the processes live for the whole class; in an instance field, for
 * each test. They are stopped and their folders removed afterwards, even when tests fail.
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	private final boolean replicated;

	private String password;

	private int sentinelCount;

	private final Map<String, String> settings = new LinkedHashMap<>();

	private RedisServerProcess standalone;

	private RedisTopology topology;

	private boolean startedForOneTest;

	private RedisExtension(boolean replicated) {
		this.replicated = replicated;
	}

	/** One primary without replica. */
	public static RedisExtension standalone() {
		return new RedisExtension(false);
	}

	/** A primary with one replica (see {@link RedisTopology}). */
	public static RedisExtension primaryWithReplica() {
		return new RedisExtension(true);
	}

	public RedisExtension password(String password) {
		this.password = password;
		return this;
	}

	/** A configuration directive for every data node, e.g. {@code set("repl-diskless-sync", "yes")}. */
	public RedisExtension set(String directive, String value) {
		this.settings.put(directive, value);
		return this;
	}

	/** Sentinels monitoring the primary; only with {@link #primaryWithReplica()}. */
	public RedisExtension withSentinels(int count) {
		if (!this.replicated) {
			throw new IllegalStateException("sentinels need primaryWithReplica()");
		}
		this.sentinelCount = count;
		return this;
	}

	/** The standalone server, or the primary the topology was started with. */
	public RedisServerProcess server() {
		requireStarted();
		return (this.topology != null) ? this.topology.primary() : this.standalone;
	}

	public RedisTopology topology() {
		requireStarted();
		if (this.topology == null) {
			throw new IllegalStateException("a standalone Redis has no topology");
		}
		return this.topology;
	}

	public RedisEndpoint endpoint() {
		return server().endpoint();
	}

	public String password() {
		return this.password;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		start();
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		if (!isStarted()) {
			start();
			this.startedForOneTest = true;
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (this.startedForOneTest) {
			stop();
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		stop();
	}

	private void start() {
		if (this.replicated) {
			RedisTopology.Builder builder = RedisTopology.primaryWithReplica().password(this.password)
				.withSentinels(this.sentinelCount);
			this.settings.forEach(builder::set);
			this.topology = builder.start();
		}
		else {
			RedisServerProcess.Options options = RedisServerProcess.options().password(this.password);
			this.settings.forEach(options::set);
			this.standalone = options.start();
		}
	}

	private void stop() {
		try {
			if (this.topology != null) {
				this.topology.close();
			}
			if (this.standalone != null) {
				this.standalone.close();
			}
		}
		finally {
			this.topology = null;
			this.standalone = null;
			this.startedForOneTest = false;
		}
	}

	private boolean isStarted() {
		return this.topology != null || this.standalone != null;
	}

	private void requireStarted() {
		if (!isStarted()) {
			throw new IllegalStateException("Redis is not started: register the extension with @RegisterExtension");
		}
	}

}
