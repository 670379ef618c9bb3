package io.coffer.pipeline.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One value of each type a dump can hold, as Redis' {@code rdbLoadObject} reads it: plain collections
 * member by member, the compact encodings (listpacks, ziplists, intsets, zipmaps) read whole and
 * walked by {@link Listpacks} and {@link RdbEncodings}, quicklists, streams with their consumer groups,
 * and module values. Nothing is kept: each value is validated and skipped. One per parse, once the
 * dump's RDB version is known.
 */
final class RdbValues {

	private static final int STREAM_ID_SIZE = 16;

	private final RdbReader in;

	private final RdbFields fields;

	private final int rdbVersion;

	RdbValues(RdbReader in, RdbFields fields, int rdbVersion) {
		this.in = in;
		this.fields = fields;
		this.rdbVersion = rdbVersion;
	}

	/**
	 * Reads one value of {@code type}.
	 * @return false for an empty collection, which Redis skips when it loads the dump
	 */
	boolean read(int type, long at) throws IOException {
		switch (type) {
			case 0 -> this.fields.skipString("string value");
			case 1, 2 -> {
				long members = this.fields.count(type == 1 ? "list" : "set", 1);
				for (long i = 0; i < members; i++) {
					this.fields.skipString(type == 1 ? "list element" : "set member");
				}
				return members > 0;
			}
			case 3 -> {
				long members = this.fields.count("sorted set", 2);
				for (long i = 0; i < members; i++) {
					this.fields.skipString("sorted set member");
					readTextScore();
				}
				return members > 0;
			}
			case 5 -> {
				long members = this.fields.count("sorted set", 9);
				for (long i = 0; i < members; i++) {
					this.fields.skipString("sorted set member");
					long scoreAt = this.in.offset();
					if (Double.isNaN(Double.longBitsToDouble(this.in.le(8)))) {
						throw new InvalidRdbException(scoreAt, "sorted set score is not a number (NaN)");
					}
				}
				return members > 0;
			}
			case 4 -> {
				long pairs = this.fields.count("hash", 2);
				for (long i = 0; i < pairs; i++) {
					this.fields.skipString("hash field");
					this.fields.skipString("hash value");
				}
				return pairs > 0;
			}
			case 22, 24 -> {
				if (this.rdbVersion >= RdbHeader.VALKEY_9) {
					// the same number as Redis 7.4 RC's type, another layout
					return readValkeyHashWithFieldExpiry();
				}
				if (type == 24) {
					this.in.le(8);
				}
				long hashFields = this.fields.count("hash", 3);
				for (long i = 0; i < hashFields; i++) {
					this.fields.length();
					this.fields.skipString("hash field");
					this.fields.skipString("hash value");
				}
				return hashFields > 0;
			}
			case 6 -> throw new InvalidRdbException(at,
					"the dump holds a module value in the format of Redis 4.0 release candidates, which no Redis loads");
			case 7 -> {
				this.fields.length();
				moduleValue(at);
			}
			case 9 -> {
				return encoded(type, "hash zipmap") > 0;
			}
			case 10 -> {
				return encoded(type, "list ziplist") > 0;
			}
			case 11 -> {
				return encoded(type, "set intset") > 0;
			}
			case 12 -> {
				return encoded(type, "sorted set ziplist") > 0;
			}
			case 13 -> {
				return encoded(type, "hash ziplist") > 0;
			}
			case 16 -> {
				return encoded(type, "hash listpack") > 0;
			}
			case 17 -> {
				return encoded(type, "sorted set listpack") > 0;
			}
			case 20 -> {
				return encoded(type, "set listpack") > 0;
			}
			case 23, 25 -> {
				if (type == 25) {
					this.in.le(8);
				}
				return encoded(type, "hash listpack with field expiry") > 0;
			}
			case 14 -> {
				long nodes = this.fields.count("quicklist", 1);
				long elements = 0;
				for (long i = 0; i < nodes; i++) {
					elements += encoded(10, "quicklist ziplist");
				}
				return elements > 0;
			}
			case 18 -> {
				long nodes = this.fields.count("quicklist", 2);
				long elements = 0;
				for (long i = 0; i < nodes; i++) {
					long containerAt = this.in.offset();
					long container = this.fields.length();
					if (container == 1) {
						this.fields.skipString("quicklist plain element");
						elements++;
					}
					else if (container == 2) {
						elements += encoded(18, "quicklist listpack");
					}
					else {
						throw new InvalidRdbException(containerAt, "quicklist node has the unknown container " + container);
					}
				}
				return elements > 0;
			}
			case 15, 19, 21 -> readStream(type);
			default -> throw new InvalidRdbException(at, String.format("unknown value type 0x%02x", type));
		}
		return true;
	}

	/**
	 * Valkey 9's hash with field expiry ({@code RDB_TYPE_HASH_2}): a count, then each field, its value and its
	 * absolute expiry in milliseconds, -1 when the field has none ({@code rdbLoadObject}).
	 */
	private boolean readValkeyHashWithFieldExpiry() throws IOException {
		long hashFields = this.fields.count("hash", 10);
		for (long i = 0; i < hashFields; i++) {
			this.fields.skipString("hash field");
			this.fields.skipString("hash value");
			this.in.le(8);
		}
		return hashFields > 0;
	}

	/** Reads a compact encoding into {@link RdbFields#blob()} and validates it. @return its number of elements */
	private long encoded(int type, String kind) throws IOException {
		long at = this.in.offset();
		int size = this.fields.readBlob(kind, RdbParser.MAX_ENCODED_VALUE);
		byte[] blob = this.fields.blob();
		try {
			return switch (type) {
				case 9 -> RdbEncodings.zipmap(blob, size);
				case 10 -> RdbEncodings.ziplist(blob, size, false);
				case 11 -> RdbEncodings.intset(blob, size);
				case 12, 13 -> RdbEncodings.ziplist(blob, size, true) / 2;
				case 16, 17 -> Listpacks.tuples(blob, size, 2, true);
				case 18 -> Listpacks.tuples(blob, size, 1, false);
				case 20 -> Listpacks.tuples(blob, size, 1, true);
				case 23, 25 -> Listpacks.tuples(blob, size, 3, true);
				default -> throw new IllegalArgumentException("not a compact encoding: " + type);
			};
		}
		catch (RdbEncodings.Malformed ex) {
			throw new InvalidRdbException(at, String.format("%s of %,d bytes is malformed: %s", kind, size, ex.getMessage()));
		}
	}

	private boolean readStream(int type) throws IOException {
		long nodes = this.fields.count("stream", 2);
		byte[] previousNode = null;
		for (long i = 0; i < nodes; i++) {
			long keyAt = this.in.offset();
			int keyLength = this.fields.readBlob("stream node ID", RdbParser.MAX_ENCODED_VALUE);
			if (keyLength != STREAM_ID_SIZE) {
				throw new InvalidRdbException(keyAt, "stream node ID is " + keyLength + " bytes, not " + STREAM_ID_SIZE);
			}
			byte[] node = Arrays.copyOf(this.fields.blob(), STREAM_ID_SIZE);
			if (previousNode != null && Arrays.compareUnsigned(previousNode, node) >= 0) {
				throw new InvalidRdbException(keyAt, "stream node IDs are not in ascending order");
			}
			previousNode = node;
			long lpAt = this.in.offset();
			int size = this.fields.readBlob("stream listpack", RdbParser.MAX_ENCODED_VALUE);
			try {
				Listpacks.streamNode(this.fields.blob(), size);
			}
			catch (RdbEncodings.Malformed ex) {
				throw new InvalidRdbException(lpAt,
						String.format("stream listpack of %,d bytes is malformed: %s", size, ex.getMessage()));
			}
		}
		long lengthAt = this.in.offset();
		long entries = this.fields.length();
		this.fields.length();
		this.fields.length();
		if (type >= 19) {
			for (int i = 0; i < 5; i++) {
				this.fields.length();
			}
		}
		if (entries > 0 && nodes == 0) {
			throw new InvalidRdbException(lengthAt, String.format("stream of %,d entries has no node to hold them", entries));
		}
		long groups = this.fields.count("stream's consumer groups", 3);
		for (long g = 0; g < groups; g++) {
			this.fields.skipString("consumer group name");
			this.fields.length();
			this.fields.length();
			if (type >= 19) {
				this.fields.length();
			}
			long pending = this.fields.count("consumer group's pending entries", STREAM_ID_SIZE + 9);
			readPendingIds(pending, true);
			long consumers = this.fields.count("consumer group's consumers", (type >= 21) ? 18 : 10);
			for (long c = 0; c < consumers; c++) {
				this.fields.skipString("consumer name");
				this.in.le(8);
				if (type >= 21) {
					this.in.le(8);
				}
				long owned = this.fields.count("consumer's pending entries", STREAM_ID_SIZE);
				readPendingIds(owned, false);
			}
		}
		return true;
	}

	private void readPendingIds(long count, boolean withDelivery) throws IOException {
		byte[] previous = null;
		byte[] id = new byte[STREAM_ID_SIZE];
		for (long i = 0; i < count; i++) {
			long at = this.in.offset();
			this.in.readFully(id, 0, STREAM_ID_SIZE);
			if (previous == null) {
				previous = new byte[STREAM_ID_SIZE];
			}
			else if (Arrays.compareUnsigned(previous, id) >= 0) {
				throw new InvalidRdbException(at, "pending entry IDs are repeated or not in ascending order");
			}
			System.arraycopy(id, 0, previous, 0, STREAM_ID_SIZE);
			if (withDelivery) {
				this.in.le(8);
				this.fields.length();
			}
		}
	}

	/** A module's value, framed by the opcodes {@code RedisModule_Save*} writes, up to its end opcode. */
	void moduleValue(long at) throws IOException {
		while (true) {
			long opcodeAt = this.in.offset();
			long opcode = this.fields.length();
			switch ((int) Math.min(opcode, 6)) {
				case 0 -> {
					return;
				}
				case 1, 2 -> this.fields.length();
				case 3 -> this.in.le(4);
				case 4 -> this.in.le(8);
				case 5 -> this.fields.skipString("module string");
				default -> throw new InvalidRdbException(opcodeAt,
						String.format("module value (from offset %,d) has the unknown opcode %d", at, opcode));
			}
		}
	}

	/** The text score of sorted sets before RDB 8: a length byte (253 NaN, 254 +inf, 255 -inf) and digits. */
	private void readTextScore() throws IOException {
		long at = this.in.offset();
		int length = this.in.u8();
		if (length == 253) {
			throw new InvalidRdbException(at, "sorted set score is not a number (NaN)");
		}
		if (length >= 254) {
			return;
		}
		byte[] text = new byte[length];
		this.in.readFully(text, 0, length);
		String score = new String(text, StandardCharsets.US_ASCII).trim();
		try {
			if (Double.isNaN(Double.parseDouble(score))) {
				throw new InvalidRdbException(at, "sorted set score is not a number (NaN)");
			}
		}
		catch (NumberFormatException ex) {
			if (!score.toLowerCase(java.util.Locale.ROOT).matches("[+-]?inf(inity)?")) {
				throw new InvalidRdbException(at, "sorted set score '" + score + "' is not a number");
			}
		}
	}

}
