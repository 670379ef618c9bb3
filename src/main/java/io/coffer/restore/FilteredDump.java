package io.coffer.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import io.coffer.pipeline.rdb.Crc64;

/**
 * A dump of the selected keys only, written as a dump's keys are read: the original's header (magic and RDB
 * version), then per logical database a {@code SELECTDB}, each key's absolute expiry ({@code EXPIRETIME_MS}),
 * type, key and value bytes exactly as the original holds them, then {@code EOF} and the CRC-64 of it all.
 * Auxiliary fields, functions and per-key metadata (idle time, frequency) are left out: a dump needs none of
 * them, and the target starts them afresh. It streams: nothing is held but the current key.
 */
final class FilteredDump extends SelectedKeys {

	/** {@code EXPIRETIME_MS} appeared in RDB 3 (Redis 2.6); older versions know only seconds. */
	private static final int FIRST_VERSION_WITH_MS_EXPIRY = 3;

	private static final int FIRST_VERSION_WITH_CHECKSUM = 5;

	private final OutputStream out;

	private final Crc64 crc = new Crc64();

	private long length;

	private int db = -1;

	/** db → {keys written, of which expiring}. */
	private final Map<Integer, long[]> written = new TreeMap<>();

	FilteredDump(OutputStream out, KeyPatterns patterns, long cutoffMs) {
		super(patterns, cutoffMs);
		this.out = out;
	}

	@Override
	void started(int rdbVersion) throws IOException {
		String header = (rdbVersion >= 80) ? String.format("VALKEY%03d", rdbVersion)
				: String.format("REDIS%04d", rdbVersion);
		write(header.getBytes(StandardCharsets.US_ASCII));
	}

	@Override
	Value selected(int db, byte[] key, long expiresAtMs, int type) throws IOException {
		if (db != this.db) {
			write(0xfe);
			length(db);
			this.db = db;
		}
		if (expiresAtMs >= 0) {
			if (rdbVersion() >= FIRST_VERSION_WITH_MS_EXPIRY) {
				write(0xfc);
				littleEndian(expiresAtMs, 8);
			}
			else {
				write(0xfd);
				littleEndian((expiresAtMs + 999) / 1000, 4);
			}
		}
		write(type);
		length(key.length);
		write(key);
		long[] counts = this.written.computeIfAbsent(db, (k) -> new long[2]);
		return new Value() {

			/** The type byte the parser hands first was written before the key. */
			private boolean typeSkipped;

			@Override
			public void write(byte[] bytes, int offset, int count) throws IOException {
				int from = offset;
				int left = count;
				if (!this.typeSkipped && left > 0) {
					this.typeSkipped = true;
					from++;
					left--;
				}
				FilteredDump.this.write(bytes, from, left);
			}

			@Override
			public void end(boolean loaded) {
				if (loaded) {
					counts[0]++;
					if (expiresAtMs >= 0) {
						counts[1]++;
					}
				}
			}

		};
	}

	/** Ends the dump: {@code EOF}, then the CRC-64 from RDB 5 on. */
	void finish() throws IOException {
		write(0xff);
		if (rdbVersion() >= FIRST_VERSION_WITH_CHECKSUM) {
			littleEndian(this.crc.getValue(), 8);
		}
		this.out.flush();
	}

	/** Bytes written so far: the dump's length once finished. */
	long length() {
		return this.length;
	}

	/** Keys written per logical database ({@code db0}), and those of them with a time to live. */
	Map<String, Long> keys(boolean expiringOnly) {
		Map<String, Long> perDb = new TreeMap<>();
		this.written.forEach((db, counts) -> {
			if (counts[expiringOnly ? 1 : 0] > 0) {
				perDb.put("db" + db, counts[expiringOnly ? 1 : 0]);
			}
		});
		return perDb;
	}

	private void length(long value) throws IOException {
		if (value < 64) {
			write((int) value);
		}
		else if (value < 16384) {
			write(0x40 | (int) (value >>> 8));
			write((int) (value & 0xff));
		}
		else if (value <= 0xffffffffL) {
			write(0x80);
			bigEndian(value, 4);
		}
		else {
			write(0x81);
			bigEndian(value, 8);
		}
	}

	private void littleEndian(long value, int bytes) throws IOException {
		for (int i = 0; i < bytes; i++) {
			write((int) (value >>> (8 * i)) & 0xff);
		}
	}

	private void bigEndian(long value, int bytes) throws IOException {
		for (int i = bytes - 1; i >= 0; i--) {
			write((int) (value >>> (8 * i)) & 0xff);
		}
	}

	private void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	private void write(byte[] bytes) throws IOException {
		write(bytes, 0, bytes.length);
	}

	private void write(byte[] bytes, int offset, int count) throws IOException {
		if (count == 0) {
			return;
		}
		this.crc.update(bytes, offset, count);
		this.out.write(bytes, offset, count);
		this.length += count;
	}

}
