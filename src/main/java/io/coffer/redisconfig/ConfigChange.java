package io.coffer.redisconfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.coffer.system.InvalidRequest;

/**
 * The settings one request changes; a setting left out stays as it is.
 *
 * @param rdb RDB snapshots at the platform's save points
 * @param aof the append-only file, synced every second
 * @param cacheMode evict the least recently used keys when memory is full, instead of refusing writes
 * @param timeout seconds after which an idle client is disconnected, 0 for never
 * @param forceTls TLS only, with Coffer's certificates ({@code rediss://}); plain text refused
 */
public record ConfigChange(Boolean rdb, Boolean aof, Boolean cacheMode, Integer timeout, Boolean forceTls) {

	static final String RDB = "rdb";

	static final String AOF = "aof";

	static final String CACHE_MODE = "cache_mode";

	static final String TIMEOUT = "timeout";

	static final String FORCE_TLS = "force_tls";

	static final int MAX_TIMEOUT = 86400;

	private static final Set<String> KNOWN = Set.of(RDB, AOF, CACHE_MODE, TIMEOUT, FORCE_TLS);

	/**
	 * Reads a request body, refusing with a sentence what is not a setting or not a valid value.
	 * @throws io.coffer.system.InvalidRequest for unknown settings and invalid values
	 */
	public static ConfigChange parse(Map<String, Object> body) {
		if (body == null || body.isEmpty()) {
			throw new InvalidRequest("send at least one of \"rdb\", \"aof\", \"cache_mode\", \"force_tls\" "
					+ "(true or false) or \"timeout\" (seconds)");
		}
		Set<String> unknown = new TreeSet<>(body.keySet());
		unknown.removeAll(KNOWN);
		if (!unknown.isEmpty()) {
			throw new InvalidRequest("unknown setting" + ((unknown.size() > 1) ? "s " : " ")
					+ String.join(", ", unknown.stream().map((name) -> "\"" + name + "\"").toList())
					+ "; the settings are \"rdb\", \"aof\", \"cache_mode\", \"force_tls\" and \"timeout\"");
		}
		Integer timeout = null;
		if (body.containsKey(TIMEOUT)) {
			Object value = body.get(TIMEOUT);
			if (!(value instanceof Integer seconds) || seconds < 0 || seconds > MAX_TIMEOUT) {
				throw new InvalidRequest("\"timeout\" must be a whole number of seconds from 0 (never) to "
						+ MAX_TIMEOUT + ", not " + describe(value));
			}
			timeout = seconds;
		}
		return new ConfigChange(flag(body, RDB), flag(body, AOF), flag(body, CACHE_MODE), timeout,
				flag(body, FORCE_TLS));
	}

	private static Boolean flag(Map<String, Object> body, String name) {
		if (!body.containsKey(name)) {
			return null;
		}
		if (body.get(name) instanceof Boolean value) {
			return value;
		}
		throw new InvalidRequest("\"" + name + "\" must be true or false, not " + describe(body.get(name)));
	}

	private static String describe(Object value) {
		return (value instanceof String text) ? "\"" + text + "\"" : String.valueOf(value);
	}

	/** The settings as they were asked, in the request's own names; what the catalogue records. */
	public Map<String, Object> asMap() {
		Map<String, Object> settings = new LinkedHashMap<>();
		if (this.rdb != null) {
			settings.put(RDB, this.rdb);
		}
		if (this.aof != null) {
			settings.put(AOF, this.aof);
		}
		if (this.cacheMode != null) {
			settings.put(CACHE_MODE, this.cacheMode);
		}
		if (this.timeout != null) {
			settings.put(TIMEOUT, this.timeout);
		}
		if (this.forceTls != null) {
			settings.put(FORCE_TLS, this.forceTls);
		}
		return settings;
	}

	/** Reads back what {@link #asMap()} wrote. */
	static ConfigChange of(Map<String, Object> settings) {
		Object timeout = settings.get(TIMEOUT);
		return new ConfigChange((Boolean) settings.get(RDB), (Boolean) settings.get(AOF),
				(Boolean) settings.get(CACHE_MODE), (timeout != null) ? ((Number) timeout).intValue() : null,
				(Boolean) settings.get(FORCE_TLS));
	}

}
