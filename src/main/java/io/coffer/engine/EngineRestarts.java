package io.coffer.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.node.DataNodeRestarts;
import io.coffer.node.DatabaseNodes;
import io.coffer.node.NodeDrivers;
import io.coffer.node.ProcessNodeDriver;
import io.coffer.node.ProvisioningProperties;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.coffer.engine.UpgradeWaits.await;

/**
 * How an engine upgrade moves one data node (a process, or a container replaced by one of the new image) to the new engine, and what it checks
 * of the node once there.
 * <p>
 * A node whose new engine never answers (it could not be run, or exited as it started) is started again
 * on its old one, and the upgrade stops there with the reason: the database keeps serving on the version
 * it had. Only then: a new engine that answered has loaded the data and may have written it in a format an
 * older engine cannot read (an RDB version newer than its own), so a node that started on the new engine
 * and failed after (it loads too long, or reports another version) stays on it, as does the former primary
 * after the failover whatever happens to it: its primary runs the new engine, whose data an older replica
 * cannot load. The supervisor keeps such a node on the new engine, and the upgrade fails saying so.
 */
final class EngineRestarts {

	private static final Logger log = LoggerFactory.getLogger(EngineRestarts.class);

	private final DatabaseNodes nodes;

	private final NodeDrivers drivers;

	private final ProvisioningRepository provisioning;

	private final EngineRepository engines;

	private final EngineCatalogue catalogue;

	private final ProvisioningProperties settings;

	private final RedisConnections connections;

	EngineRestarts(DatabaseNodes nodes, NodeDrivers drivers, ProvisioningRepository provisioning,
			EngineRepository engines, EngineCatalogue catalogue, ProvisioningProperties settings,
			RedisConnections connections) {
		this.nodes = nodes;
		this.drivers = drivers;
		this.provisioning = provisioning;
		this.engines = engines;
		this.catalogue = catalogue;
		this.settings = settings;
		this.connections = connections;
	}

	/**
	 * Restarts the node on {@code target}, its data written to disk first. When the new engine never answers,
	 * the node is started again on its old engine if {@code mayGoBack}; otherwise, and when the new engine
	 * answered but fails after, the node stays on {@code target} (see the class comment). Fails with the reason.
	 */
	ManagedNode move(ManagedNode node, String password, EngineVersion target, String previous,
			List<String> arguments, boolean mayGoBack) {
		this.engines.nodeVersion(node.databaseId(), node.name(), target.toString());
		DataNodeRestarts driver = this.drivers.restartsOf(node);
		try {
			driver.stopSaving(node, password);
		}
		catch (RuntimeException ex) {
			this.engines.nodeVersion(node.databaseId(), node.name(), null);
			throw ex;
		}
		ManagedNode started;
		try {
			started = driver.restart(node, password, arguments);
		}
		catch (RuntimeException ex) {
			// Redis answers once it has loaded its data, and writes its files only after: this one wrote nothing
			if (mayGoBack) {
				throw startedAgain(node, password, target, previous, arguments, ex);
			}
			throw mustRun(node, target, previous, "it did not start on " + target + ": " + ex.getMessage(), ex);
		}
		try {
			loaded(started, password);
			engineProblem(started, password, target).ifPresent((problem) -> {
				throw new IllegalStateException(problem);
			});
			log.info("{} runs engine {}", ProcessNodeDriver.describe(started), target);
			return started;
		}
		catch (RuntimeException ex) {
			if (!mayGoBack) {
				throw mustRun(node, target, previous, "it started on " + target + ", but " + ex.getMessage(), ex);
			}
			throw new IllegalStateException(ProcessNodeDriver.describe(node) + " started on " + target + ", but "
					+ ex.getMessage() + "; it stays on " + target + ", not on " + engineName(previous) + ": it has loaded "
					+ "its data on " + target + ", which may have written it in a format " + engineName(previous)
					+ " cannot read. Repair " + target + ", then ask the upgrade again", ex);
		}
	}

	/** The node's new engine never answered: starts it on its old one again, and answers the failure to throw. */
	private IllegalStateException startedAgain(ManagedNode node, String password, EngineVersion target,
			String previous, List<String> arguments, RuntimeException cause) {
		log.warn("{} did not start on engine {}; starting it again on {}", ProcessNodeDriver.describe(node), target,
				engineName(previous), cause);
		this.engines.nodeVersion(node.databaseId(), node.name(), null);
		String back;
		DataNodeRestarts driver = this.drivers.restartsOf(node);
		try {
			if (driver.serves(node, password)) {
				driver.stopSaving(node, password);
			}
			loaded(driver.restart(node, password, arguments), password);
			back = "it runs " + engineName(previous) + " again";
		}
		catch (RuntimeException notBack) {
			back = "and it did not start again on " + engineName(previous) + " either (" + notBack.getMessage()
					+ "): the supervisor keeps trying";
		}
		return new IllegalStateException(ProcessNodeDriver.describe(node) + " did not start on " + target + ": "
				+ cause.getMessage() + "; " + back, cause);
	}

	/** The former primary failed on the new engine after the failover: it cannot go back. */
	private static IllegalStateException mustRun(ManagedNode node, EngineVersion target, String previous,
			String failure, RuntimeException cause) {
		return new IllegalStateException(ProcessNodeDriver.describe(node) + " must run " + target + " now, and "
				+ failure + ". Its primary runs " + target + ", whose data " + engineName(previous) + " cannot load: "
				+ "it stays on " + target + " (the supervisor keeps starting it there) and the database has no "
				+ "replica until it runs. Repair " + target + ", then ask the upgrade again", cause);
	}

	private static String engineName(String version) {
		return (version != null) ? version : "its former engine";
	}

	/** Records the node as started and waits until it has loaded its data. */
	private void loaded(ManagedNode started, String password) {
		this.provisioning.updateNode(started);
		await(ProcessNodeDriver.describe(started) + " to load its data", this.settings.startTimeout(), () -> {
			try {
				return "0".equals(this.connections.call(endpoint(started, password),
						(jedis) -> RedisInfo.fields(jedis.info("persistence"))).get("loading"));
			}
			catch (RuntimeException ex) {
				return false;
			}
		});
	}

	/** Why the node does not run the engine's program at its version, or empty when it does. */
	Optional<String> engineProblem(ManagedNode node, String password, EngineVersion target) {
		EngineCatalogue.Engine engine = this.catalogue.find(target)
			.orElseThrow(() -> new IllegalStateException("engine " + target + " is no longer in the engine catalogue"));
		Map<String, String> server = this.connections.call(endpoint(node, password),
				(jedis) -> RedisInfo.fields(jedis.info("server")));
		// a Valkey node reports valkey_version beside the redis_version it shows clients (7.2.4)
		EngineVersion reported = EngineVersion.fromInfo(server);
		if (!engine.reportedVersion().equals(reported)) {
			return Optional.of(node.address() + " reports " + ((reported != null) ? reported.label() : "no version")
					+ ", not " + engine.reportedVersion().label() + " of engine " + target);
		}
		// Redis reports the absolute path it was started by: a program named by its path is checked by
		// path too; one found on the PATH by its version only
		if (Path.of(engine.server()).isAbsolute() && !engine.server().equals(server.get("executable"))) {
			return Optional.of(node.address() + " runs " + server.get("executable") + ", not " + engine.server()
					+ " of engine " + target);
		}
		return Optional.empty();
	}

	private RedisEndpoint endpoint(ManagedNode node, String password) {
		return this.nodes.endpoint(node, password);
	}

}
