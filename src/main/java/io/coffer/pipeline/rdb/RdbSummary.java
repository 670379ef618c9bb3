package io.coffer.pipeline.rdb;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a parse of a whole dump learned from the dump itself.
 * @param rdbVersion the version in the dump's header
 * @param aux the dump's auxiliary fields ({@code redis-ver}, {@code redis-bits}, {@code ctime},
 * {@code repl-id}...), those short enough to be worth keeping
 * @param keysPerDb keys per logical database, databases without keys left out
 * @param expiringKeysPerDb keys with a time to live per logical database, databases without such keys
 * left out
 * @param functionLibraries how many function libraries ({@code FUNCTION LOAD}) the dump holds
 * @param length the dump's length in bytes
 */
public record RdbSummary(int rdbVersion, Map<String, String> aux, SortedMap<Integer, Long> keysPerDb,
		SortedMap<Integer, Long> expiringKeysPerDb, long functionLibraries, long length) {

	public RdbSummary {
		aux = Map.copyOf(aux);
		keysPerDb = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(keysPerDb));
		expiringKeysPerDb = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(expiringKeysPerDb));
	}

	/** The version of the Redis that wrote the dump, when it said so. */
	public String redisVersion() {
		return this.aux.get("redis-ver");
	}

	/** Keys in all logical databases together. */
	public long totalKeys() {
		return this.keysPerDb.values().stream().mapToLong(Long::longValue).sum();
	}

}
