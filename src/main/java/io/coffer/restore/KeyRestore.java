package io.coffer.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.coffer.archive.ArchiveContents;
import io.coffer.archive.ArchiveReader;
import io.coffer.catalog.Backup;
import io.coffer.pipeline.rdb.RdbParser;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Restores of selected keys. The backup's dump is read once per pass, straight from the archive (decrypted
 * and checked as it streams, the archive found whole at its end), and parsed by {@link RdbParser}, which
 * hands over the raw bytes of each matching key's value: nothing is decoded or serialized again.
 * <ul>
 * <li>In place ({@link KeyWrites}): each key written with {@code RESTORE … REPLACE ABSTTL} over the
 * target's authenticated connection, every other key left as it is; a dry run compares with {@code DUMP}
 * instead and writes nothing.</li>
 * <li>Into a new database ({@link FilteredDump}): a dump of the matching keys only, which the replication
 * listener serves as it serves a whole dump. The listener must announce its length first, and the filtered
 * dump is neither held in memory nor written to disk (it is a database's data in the clear): it is made
 * twice, once to measure it and once while it is sent, both with the same expiry cut-off.</li>
 * </ul>
 */
@Component
class KeyRestore {

	/** In a restore's recovery journal: selected keys were being written in place. */
	static final String JOURNAL_KEYS = "selected_keys";

	private final ArchiveReader archives;

	private final RedisConnections redis;

	private final JsonMapper json;

	KeyRestore(ArchiveReader archives, RedisConnections redis, JsonMapper json) {
		this.archives = archives;
		this.redis = redis;
		this.json = json;
	}

	/**
	 * Writes the matching keys into {@code node} (or, dry, counts what it would write and what the target
	 * already holds).
	 * @param cutoffMs keys expiring at or before it are left out
	 * @return the figures per logical database, for the restore's checks
	 * @throws RestoreFailedException saying why, and how many keys were written before
	 */
	Map<String, Object> inPlace(Backup backup, RedisEndpoint node, KeyPatterns patterns, boolean dryRun,
			long cutoffMs, int maxRdb) {
		KeyWrites writes = null;
		try (Jedis jedis = this.redis.open(node);
				ArchiveContents archive = ArchiveContents.open(this.archives, backup, maxRdb)) {
			KeyWrites keys = new KeyWrites(jedis, patterns, cutoffMs, dryRun);
			writes = keys;
			archive.readDump((dump) -> {
				RdbParser.parse(dump, archive.dumpSize(), maxRdb, keys);
				keys.flush();
			});
			archive.finish(this.json);
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("patterns", patterns.patterns());
			result.put("dry_run", dryRun);
			result.put(dryRun ? "would_write" : "written", keys.written());
			result.put("per_db", keys.figures());
			return result;
		}
		catch (RestoreFailedException ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			// a failure of the connection names the node, as every restore's does
			Exception described = (ex instanceof JedisException jedis) ? RedisConnections.describe(node, jedis) : ex;
			String state = (writes != null) ? writes.state() : RestoreFailedException.UNTOUCHED;
			throw new RestoreFailedException(RestoreSteps.sentence(described), state, ex);
		}
	}

	/**
	 * Makes the filtered dump once without keeping it, to learn its length and keys.
	 * @return {@code size}, {@code keys} and {@code expiring} per logical database, and what was found
	 */
	Map<String, Object> measure(Backup backup, KeyPatterns patterns, long cutoffMs, int maxRdb) throws IOException {
		try (ArchiveContents archive = ArchiveContents.open(this.archives, backup, maxRdb)) {
			FilteredDump dump = new FilteredDump(OutputStream.nullOutputStream(), patterns, cutoffMs);
			archive.readDump((in) -> {
				RdbParser.parse(in, archive.dumpSize(), maxRdb, dump);
				dump.finish();
			});
			archive.finish(this.json);
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("patterns", patterns.patterns());
			result.put("size", dump.length());
			result.put("cutoff_ms", cutoffMs);
			result.put("keys", dump.keys(false));
			result.put("expiring", dump.keys(true));
			Map<String, Map<String, Long>> perDb = dump.found();
			dump.keys(false).forEach((db, keys) -> perDb.computeIfAbsent(db, (k) -> new java.util.TreeMap<>())
				.put("written", keys));
			result.put("written", dump.keys(false).values().stream().mapToLong(Long::longValue).sum());
			result.put("per_db", perDb);
			return result;
		}
	}

	/**
	 * The filtered dump made again, as the listener sends it: its last bytes held back until the archive was
	 * read to its end and found whole, and the dump found the length measured.
	 */
	DumpSource.Opener filtered(Backup backup, KeyPatterns patterns, long cutoffMs, long size) {
		return (maxRdb) -> new DumpSource() {

			@Override
			public long size() {
				return size;
			}

			@Override
			public byte[] copy(OutputStream out, int holdBack) throws IOException {
				try (ArchiveContents archive = ArchiveContents.open(KeyRestore.this.archives, backup, maxRdb)) {
					HoldBack held = new HoldBack(out, holdBack);
					FilteredDump dump = new FilteredDump(held, patterns, cutoffMs);
					archive.readDump((in) -> {
						RdbParser.parse(in, archive.dumpSize(), maxRdb, dump);
						dump.finish();
					});
					archive.finish(KeyRestore.this.json);
					if (dump.length() != size) {
						throw new IOException("the dump of the selected keys came out " + dump.length()
								+ " bytes where it measured " + size + ": the backup read differently");
					}
					return held.last();
				}
			}

			@Override
			public void finish() {
				// the archive was read whole by copy, before the last bytes were handed out
			}

			@Override
			public void close() {
			}

		};
	}

	/** Passes bytes on but the last {@code hold}, which it hands over only when asked. */
	private static final class HoldBack extends OutputStream {

		private final OutputStream out;

		private final int hold;

		private final byte[] buffer;

		private int count;

		HoldBack(OutputStream out, int hold) {
			this.out = out;
			this.hold = hold;
			this.buffer = new byte[64 * 1024 + hold];
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			int from = offset;
			int left = length;
			while (left > 0) {
				int n = Math.min(left, this.buffer.length - this.count);
				System.arraycopy(bytes, from, this.buffer, this.count, n);
				this.count += n;
				from += n;
				left -= n;
				if (this.count == this.buffer.length) {
					this.out.write(this.buffer, 0, this.count - this.hold);
					System.arraycopy(this.buffer, this.count - this.hold, this.buffer, 0, this.hold);
					this.count = this.hold;
				}
			}
		}

		@Override
		public void flush() throws IOException {
			if (this.count > this.hold) {
				this.out.write(this.buffer, 0, this.count - this.hold);
				System.arraycopy(this.buffer, this.count - this.hold, this.buffer, 0, this.hold);
				this.count = this.hold;
			}
			this.out.flush();
		}

		/** The bytes held back, once everything else was passed on. */
		byte[] last() throws IOException {
			flush();
			if (this.count < this.hold) {
				throw new IOException("the dump of the selected keys is shorter than " + this.hold + " bytes");
			}
			return Arrays.copyOf(this.buffer, this.hold);
		}

	}

}
