package io.coffer.restore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.coffer.pipeline.rdb.Crc64;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.RestoreParams;

/**
 * Selected keys written into a live database, in place: each with {@code RESTORE key ttl payload REPLACE
 * ABSTTL}, its payload the value's bytes exactly as the dump holds them, then the dump's RDB version (2 bytes,
 * little-endian) and the CRC-64 of both (8 bytes, little-endian), which is what {@code DUMP} answers; its TTL
 * the absolute expiry the dump recorded, 0 for none. Commands go pipelined, a batch at a time, the logical
 * database chosen with {@code SELECT} as the keys' change. A dry run sends {@code DUMP} for each key instead,
 * and counts the keys that exist with the very value (the same bytes, so the same encoding) or with another.
 * <p>
 * Memory: one batch (at most {@link #BATCH_BYTES} of payloads, plus one value) and, for a dry run, the
 * target's answers to it. {@code RESTORE} takes a value as one argument, so one value is held whole, up to
 * {@link #MAX_VALUE} bytes, the largest argument Redis takes by default ({@code proto-max-bulk-len}).
 */
final class KeyWrites extends SelectedKeys {

	static final int MAX_VALUE = 512 * 1024 * 1024;

	static final int BATCH_KEYS = 1_000;

	static final long BATCH_BYTES = 8L * 1024 * 1024;

	private static final int TRAILER = 10;

	private final Jedis jedis;

	private final boolean dryRun;

	private Pipeline pipeline;

	/** The database the connection has (or will have once the batch ran) selected. */
	private int selectedDb = 0;

	private final List<Pending> pending = new ArrayList<>();

	private long pendingBytes;

	/** db → {written or to write, existing with the same value, existing with another}. */
	private final Map<Integer, long[]> done = new TreeMap<>();

	/** The value being received, then the payload built around it. */
	private byte[] value = new byte[64 * 1024];

	private int valueLength;

	KeyWrites(Jedis jedis, KeyPatterns patterns, long cutoffMs, boolean dryRun) {
		super(patterns, cutoffMs);
		this.jedis = jedis;
		this.dryRun = dryRun;
	}

	@Override
	Value selected(int db, byte[] key, long expiresAtMs, int type) {
		this.valueLength = 0;
		return new Value() {

			@Override
			public void write(byte[] bytes, int offset, int length) {
				append(key, bytes, offset, length);
			}

			@Override
			public void end(boolean loaded) {
				if (loaded) {
					queue(db, key, expiresAtMs);
				}
			}

		};
	}

	private void append(byte[] key, byte[] bytes, int offset, int length) {
		long needed = (long) this.valueLength + length + TRAILER;
		if (needed > MAX_VALUE) {
			throw new RestoreFailedException("the value of key " + KeyNames.show(key) + " is over " + MAX_VALUE
					+ " bytes, more than RESTORE takes as one argument: restore it with the whole backup", state());
		}
		if (needed > this.value.length) {
			this.value = Arrays.copyOf(this.value, (int) Math.min(MAX_VALUE, Math.max(needed, 2L * this.value.length)));
		}
		System.arraycopy(bytes, offset, this.value, this.valueLength, length);
		this.valueLength += length;
	}

	private void queue(int db, byte[] key, long expiresAtMs) {
		byte[] payload = Arrays.copyOf(this.value, this.valueLength + TRAILER);
		int version = rdbVersion();
		payload[this.valueLength] = (byte) version;
		payload[this.valueLength + 1] = (byte) (version >>> 8);
		Crc64 crc = new Crc64();
		crc.update(payload, 0, this.valueLength + 2);
		long sum = crc.getValue();
		for (int i = 0; i < 8; i++) {
			payload[this.valueLength + 2 + i] = (byte) (sum >>> (8 * i));
		}
		if (this.pipeline == null) {
			this.pipeline = this.jedis.pipelined();
		}
		if (db != this.selectedDb) {
			this.pending.add(new Pending(db, null, null, this.pipeline.select(db), null));
			this.selectedDb = db;
		}
		Response<?> answer = this.dryRun ? this.pipeline.dump(key)
				: this.pipeline.restore(key, Math.max(expiresAtMs, 0), payload,
						RestoreParams.restoreParams().replace().absTtl());
		this.pending.add(new Pending(db, key, this.dryRun ? payload : null, null, answer));
		if (this.value.length > BATCH_BYTES) {
			// a big value's buffer is not kept for the small ones after it
			this.value = new byte[64 * 1024];
		}
		this.pendingBytes += payload.length;
		if (this.pending.size() >= BATCH_KEYS || this.pendingBytes >= BATCH_BYTES) {
			flush();
		}
	}

	/** Sends what is queued and counts the answers. */
	void flush() {
		if (this.pipeline == null || this.pending.isEmpty()) {
			return;
		}
		this.pipeline.sync();
		for (Pending sent : this.pending) {
			if (sent.select() != null) {
				try {
					sent.select().get();
				}
				catch (RuntimeException ex) {
					throw new RestoreFailedException("the target has no logical database " + sent.db()
							+ ", which the backup's keys are in (SELECT " + sent.db() + ": " + ex.getMessage() + ")",
							state());
				}
				continue;
			}
			long[] counts = this.done.computeIfAbsent(sent.db(), (k) -> new long[3]);
			Object answer;
			try {
				answer = sent.answer().get();
			}
			catch (RuntimeException ex) {
				throw new RestoreFailedException("RESTORE of key " + KeyNames.show(sent.key()) + " in db" + sent.db()
						+ " was refused: " + ex.getMessage(), state());
			}
			counts[0]++;
			if (this.dryRun && answer instanceof byte[] existing) {
				boolean same = existing.length == sent.payload().length
						&& Arrays.equals(existing, 0, existing.length - TRAILER, sent.payload(), 0,
								sent.payload().length - TRAILER);
				counts[same ? 1 : 2]++;
			}
		}
		this.pending.clear();
		this.pendingBytes = 0;
	}

	/** Per logical database ({@code db0}): what was found, and written (or, dry, would be and already is). */
	Map<String, Map<String, Long>> figures() {
		Map<String, Map<String, Long>> perDb = found();
		this.done.forEach((db, counts) -> {
			Map<String, Long> figures = perDb.computeIfAbsent("db" + db, (k) -> new TreeMap<>());
			if (this.dryRun) {
				figures.put("would_write", counts[0]);
				figures.put("existing_equal", counts[1]);
				figures.put("existing_other", counts[2]);
			}
			else {
				figures.put("written", counts[0]);
			}
		});
		return perDb;
	}

	long written() {
		return this.done.values().stream().mapToLong((counts) -> counts[0]).sum();
	}

	/** What a failure leaves the target in. */
	String state() {
		if (this.dryRun) {
			return RestoreFailedException.UNTOUCHED;
		}
		long written = written();
		return (written == 0) ? "no key was written: the target is as it was"
				: written + " of the selected keys were written with the backup's values before the failure (the"
						+ " latest batch of up to " + BATCH_KEYS + " may be partly written too); every other key is"
						+ " as it was: restore the keys again";
	}

	/** A command sent: a SELECT, or a key's RESTORE (or DUMP, with the payload it is compared with). */
	private record Pending(int db, byte[] key, byte[] payload, Response<String> select, Response<?> answer) {
	}

}
