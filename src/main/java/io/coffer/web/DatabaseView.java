package io.coffer.web;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.coffer.catalog.Database;
import io.coffer.catalog.Node;

/** A database as the API shows it. {@code token} is present once: in the answer that created it. */
record DatabaseView(String id, String app, String plan, String kind, String status, Instant createdAt,
		List<NodeView> nodes, String sentinelMaster, String acquisitionMode, Map<String, String> env,
		Schedule backupSchedule, String token) {

	record NodeView(String role, String host, int port) {
	}

	record Schedule(boolean enabled, Integer hourUtc) {
	}

	static DatabaseView of(Database database, String platformPrefix, String token) {
		List<NodeView> nodes = database.nodes()
			.stream()
			.map((node) -> new NodeView(node.role(), node.host(), node.port()))
			.toList();
		return new DatabaseView(database.id(), database.app(), database.plan(), database.kind(), database.status(),
				database.createdAt(), nodes, database.sentinelMaster(), database.acquisitionMode(),
				env(database, platformPrefix), new Schedule(database.scheduleEnabled(), database.scheduleHourUtc()),
				token);
	}

	/**
	 * The connection variables an app would be given. A registered database's password came from the
	 * operator and is never shown back, so its URL carries none.
	 */
	private static Map<String, String> env(Database database, String platformPrefix) {
		Map<String, String> env = new LinkedHashMap<>();
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
