package io.coffer.web;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.Node;
import io.coffer.engine.EngineRepository;
import io.coffer.engine.EngineUpgrades;
import io.coffer.engine.EngineVersion;
import io.coffer.redisconfig.EffectiveConfig;

/**
 * A database as the API shows it. {@code token} is present once: in the answer that created it.
 * {@code config} is only read for a single database: absent from lists, {@code null} (with
 * {@code config_error}) when its primary could not be asked. {@code engine} ({@code redis}, {@code valkey}),
 * {@code version} and {@code upgrade} too are only shown for a single database: for a provisioned one as the
 * catalogue records them, for a registered one as its primary reports them in {@code INFO server}.
 */
record DatabaseView(String id, String app, String plan, String kind, String status, String statusReason,
		Instant createdAt, List<NodeView> nodes, String sentinelMaster, String acquisitionMode, Map<String, String> env,
		Schedule backupSchedule, Optional<EffectiveConfig> config, String configError, String token, String engine,
		String version, UpgradeView upgrade) {

	record NodeView(String role, String host, int port) {
	}

	record Schedule(boolean enabled, Integer hourUtc) {
	}

	static DatabaseView of(Database database, String platformPrefix, String token) {
		return of(database, platformPrefix, token, null, null);
	}

	/**
	 * @param redisUrl the URL with its password, for a provisioned database (its owner is shown it, as
	 * the platform does); {@code null} to build one without password from the primary
	 * @param statusReason why the database is in {@code error}, or {@code null}
	 */
	static DatabaseView of(Database database, String platformPrefix, String token, String redisUrl,
			String statusReason) {
		List<NodeView> nodes = database.nodes()
			.stream()
			.map((node) -> new NodeView(node.role(), node.host(), node.port()))
			.toList();
		Map<String, String> env = (redisUrl != null) ? env(redisUrl, platformPrefix) : env(database, platformPrefix);
		return new DatabaseView(database.id(), database.app(), database.plan(), database.kind(), database.status(),
				statusReason, database.createdAt(), nodes, database.sentinelMaster(), database.acquisitionMode(), env,
				new Schedule(database.scheduleEnabled(), database.scheduleHourUtc()), null, null, token, null, null, null);
	}

	/** The view with the configuration in effect, or with why it could not be read. */
	DatabaseView withConfig(EffectiveConfig config, String configError) {
		return new DatabaseView(this.id, this.app, this.plan, this.kind, this.status, this.statusReason, this.createdAt,
				this.nodes, this.sentinelMaster, this.acquisitionMode, this.env, this.backupSchedule,
				Optional.ofNullable(config), configError, this.token, this.engine, this.version, this.upgrade);
	}

	/**
	 * The view with the engine and what it may be upgraded to.
	 * @param running the engine the primary reports, for a database whose engine Coffer did not choose; may be null
	 */
	DatabaseView withEngine(EngineUpgrades.Availability engine, EngineVersion running) {
		EngineVersion shown = (engine.version() != null) ? EngineVersion.parse(engine.version()) : running;
		return new DatabaseView(this.id, this.app, this.plan, this.kind, this.status, this.statusReason, this.createdAt,
				this.nodes, this.sentinelMaster, this.acquisitionMode, this.env, this.backupSchedule, this.config,
				this.configError, this.token, (shown != null) ? shown.engine() : null,
				(shown != null) ? shown.number() : null, UpgradeView.of(engine));
	}

	/**
	 * What the database may be upgraded to: {@code available} now, {@code blocked} newer versions with the
	 * version to reach {@code first}, {@code unavailable_reason} when none is available, the
	 * {@code downtime} to expect, and the {@code last} upgrade asked.
	 */
	record UpgradeView(List<String> available, List<EngineUpgrades.Blocked> blocked, String unavailableReason,
			String downtime, EngineRepository.Upgrade last) {

		static UpgradeView of(EngineUpgrades.Availability engine) {
			return new UpgradeView(engine.available(), engine.blocked(), engine.noneAvailable(), engine.downtime(),
					engine.last());
		}

	}

	private static Map<String, String> env(String redisUrl, String platformPrefix) {
		Map<String, String> env = new LinkedHashMap<>();
		env.put("REDIS_URL", redisUrl);
		env.put(platformPrefix + "_REDIS_URL", redisUrl);
		return env;
	}

	/**
	 * The connection variables an app would be given. A registered database's password came from the
	 * operator and is never shown back, so its URL carries none.
	 */
	private static Map<String, String> env(Database database, String platformPrefix) {
		Map<String, String> env = new LinkedHashMap<>();
		if (DatabaseStatus.DELETED.equals(database.status())) {
			return env;
		}
		database.redisNodes()
			.stream()
			.filter((node) -> Node.PRIMARY.equals(node.role()))
			.findFirst()
			.ifPresent((primary) -> {
				String url = "redis://" + primary.host() + ":" + primary.port();
				env.put("REDIS_URL", url);
				env.put(platformPrefix + "_REDIS_URL", url);
			});
		return env;
	}

}
