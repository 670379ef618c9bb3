package io.coffer.redis;

import java.util.List;

/**
 * The sentinels watching a database and the name they know its primary by.
 *
 * @param sentinels the sentinels, each with its own password if it has one
 * @param masterName e.g. {@code mymaster}
 */
public record SentinelSet(List<RedisEndpoint> sentinels, String masterName) {

	public SentinelSet {
		sentinels = List.copyOf(sentinels);
		if (sentinels.isEmpty()) {
			throw new IllegalArgumentException("a sentinel set needs at least one sentinel");
		}
	}

}
