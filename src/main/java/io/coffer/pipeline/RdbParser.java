package io.coffer.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Walks a whole Redis or Valkey dump (RDB versions 1 to 13 behind the {@code REDIS} magic, 80 behind
 * Valkey 9's {@code VALKEY}, see {@link RdbHeader}) as Redis' {@code rdbLoad} would, without loading
 * anything: every opcode, every value type and encoding, every length bounded by what the dump can
 * still hold, LZF data decompressed and checked, the inner structure of listpacks, ziplists, intsets
 * and zipmaps validated as Redis' deep {@code sanitize-dump-payload} does, and the trailing CRC-64.
 * It counts keys and keys with a time to live per logical database, from the stream itself.
 * <p>
 * Memory stays bounded whatever the dump: values are validated and skipped, never held whole, except
 * the compact encodings Redis itself holds as one block (listpacks, ziplists, intsets, zipmaps),
 * which must be read whole to be walked; those are refused beyond {@link #MAX_ENCODED_VALUE} bytes.
 * LZF-compressed plain strings are checked as they stream: their back-references only need to know
 * how much was produced, not the bytes, so even a 512 MB compressed string takes no buffer.
 * <p>
 * Deviations from what Redis accepts, all on the safe side: a length field that uses a string
 * encoding, stream nodes and pending-entry IDs that are not in the ascending order Redis writes them
 * in, and bytes after the end of the dump are refused; duplicate consumer-group names and consumer
 * PEL entries missing from their group's PEL are not looked for (that needs memory in proportion to
 * the dump).
 */
public final class RdbParser {

	/** The largest listpack, ziplist, intset or zipmap that is checked; Redis' defaults keep them under 64 KB. */
	public static final int MAX_ENCODED_VALUE = 32 * 1024 * 1024;

	/** LZF turns at most 3 compressed bytes into 264 plain ones. */
	private static final int LZF_MAX_EXPANSION = 88;

	private static final int MAX_KEPT_AUX_VALUE = 256;

	private static final int FIRST_VERSION_WITH_CHECKSUM = 5;

	/** {@code CLUSTER_NAMELEN}: a cluster node's (and a slot migration job's) name. */
	private static final int CLUSTER_NAME_LENGTH = 40;

	private static final int CLUSTER_SLOTS = 16384;

	private static final int STREAM_ID_SIZE = 16;

	private final RdbReader in;

	private final int maxRdbVersion;

	private byte[] blob = new byte[4096];

	private byte[] compressed = new byte[0];

	private int rdbVersion;

	private final Map<String, String> aux = new HashMap<>();

	private final Map<Integer, long[]> perDb = new TreeMap<>();

	private long functionLibraries;

	private RdbParser(InputStream in, long expectedLength, int maxRdbVersion) {
		this.in = new RdbReader(in, expectedLength);
		this.maxRdbVersion = maxRdbVersion;
	}

	/**
	 * Parses the dump that {@code in} holds, to its very end.
	 * @param expectedLength the dump's announced length, or -1 when unknown: a known length makes
	 * refusals of impossible lengths immediate and their sentences precise
	 * @param maxRdbVersion the newest RDB version accepted
	 * @throws InvalidRdbException for anything that is not a whole, well-formed dump
	 */
	public static RdbSummary parse(InputStream in, long expectedLength, int maxRdbVersion) throws IOException {
		return new RdbParser(in, expectedLength, maxRdbVersion).parse();
	}

	private RdbSummary parse() throws IOException {
		readHeader();
		int db = 0;
		long[] counts = countsOf(db);
		boolean expiring = false;
		while (true) {
			long at = this.in.offset();
			int type = this.in.u8();
			switch (type) {
				case 0xff -> {
					readEnd(at);
					return summary();
				}
				case 0xfe -> {
					long selected = length();
					if (selected < 0 || selected > Integer.MAX_VALUE) {
						throw new InvalidRdbException(at, String.format("database number %,d is out of range", selected));
					}
					db = (int) selected;
					counts = countsOf(db);
					expiring = false;
				}
				case 0xfd -> {
					this.in.le(4);
					expiring = true;
				}
				case 0xfc -> {
					this.in.le(8);
					expiring = true;
				}
				case 0xfb -> {
					length();
					length();
				}
				case 0xfa -> readAux();
				case 0xf9 -> this.in.u8();
				case 0xf8 -> length();
				case 0xf7 -> {
					length();
					long whenOpcode = length();
					if (whenOpcode != 2) {
						throw new InvalidRdbException(at, "module auxiliary data does not start with its 'when' field");
					}
					length();
					moduleValue(at);
				}
				case 0xf6 -> throw new InvalidRdbException(at,
						"the dump holds functions in the pre-release format of Redis 7.0 RC, which no Redis loads");
				case 0xf5 -> {
					skipString("function library");
					this.functionLibraries++;
				}
				case 0xf4 -> {
					requireFormat(RdbFormats.hasSlotInfo(this.rdbVersion), at, "slot info (opcode 0xf4)");
					length();
					length();
					length();
				}
				case 0xf3 -> {
					// the same opcode, two meanings: Valkey 9's slot-import state, Redis 8.6's key metadata
					if (this.rdbVersion >= RdbHeader.VALKEY_9) {
						readSlotImport(at);
					}
					else {
						requireFormat(RdbFormats.hasKeyMetadata(this.rdbVersion), at, "key metadata (opcode 0xf3)");
						readKeyMetadata();
					}
				}
				default -> {
					if (type == 26 && this.rdbVersion == 13) {
						// its idempotent-producer tail is not one Coffer has checked against Redis' rdb.c: not guessed at
						throw new InvalidRdbException(at, "the dump holds a stream with idempotent producers (type 0x1a of "
								+ "Redis 8.6), which Coffer does not read yet");
					}
					if (type == 8 || type > RdbFormats.newestValueType(this.rdbVersion)) {
						throw new InvalidRdbException(at, String.format("unknown opcode or value type 0x%02x in RDB %d",
								type, this.rdbVersion));
					}
					skipString("key");
					if (readValue(type, at)) {
						counts[0]++;
						if (expiring) {
							counts[1]++;
						}
					}
					expiring = false;
				}
			}
		}
	}

	private void readHeader() throws IOException {
		this.in.require(9);
		byte[] header = new byte[9];
		this.in.readFully(header, 0, 9);
		this.rdbVersion = RdbHeader.version(header, this.maxRdbVersion);
	}

	private void readEnd(long at) throws IOException {
		if (this.rdbVersion >= FIRST_VERSION_WITH_CHECKSUM) {
			long computed = this.in.checksum();
			long checksumAt = this.in.offset();
			long stored = this.in.le(8);
			// 0: the server had rdbchecksum off
			if (stored != 0 && stored != computed) {
				throw new InvalidRdbException(checksumAt, String.format(
						"RDB checksum mismatch: the dump says %016x, its bytes give %016x", stored, computed));
			}
		}
		if (!this.in.atEnd()) {
			throw new InvalidRdbException(this.in.offset(), "bytes follow the end of the dump");
		}
	}

	private RdbSummary summary() {
		Map<Integer, Long> keys = new TreeMap<>();
		Map<Integer, Long> expiring = new TreeMap<>();
		this.perDb.forEach((db, counts) -> {
			if (counts[0] > 0) {
				keys.put(db, counts[0]);
			}
			if (counts[1] > 0) {
				expiring.put(db, counts[1]);
			}
		});
		return new RdbSummary(this.rdbVersion, this.aux, new TreeMap<>(keys), new TreeMap<>(expiring),
				this.functionLibraries, this.in.offset());
	}

	private long[] countsOf(int db) {
		return this.perDb.computeIfAbsent(db, (k) -> new long[2]);
	}

	private void readAux() throws IOException {
		int keyLength = readBlob("auxiliary field name", MAX_ENCODED_VALUE);
		String key = (keyLength <= MAX_KEPT_AUX_VALUE) ? new String(this.blob, 0, keyLength, StandardCharsets.UTF_8) : null;
		int valueLength = readBlob("auxiliary field value", MAX_ENCODED_VALUE);
		if (key != null && valueLength <= MAX_KEPT_AUX_VALUE && this.aux.size() < 64) {
			this.aux.put(key, new String(this.blob, 0, valueLength, StandardCharsets.UTF_8));
		}
	}

	/**
	 * Reads one value of {@code type}.
	 * @return false for an empty collection, which Redis skips when it loads the dump
	 */
	private boolean readValue(int type, long at) throws IOException {
		switch (type) {
			case 0 -> skipString("string value");
			case 1, 2 -> {
				long members = count(type == 1 ? "list" : "set", 1);
				for (long i = 0; i < members; i++) {
					skipString(type == 1 ? "list element" : "set member");
				}
				return members > 0;
			}
			case 3 -> {
				long members = count("sorted set", 2);
				for (long i = 0; i < members; i++) {
					skipString("sorted set member");
					readTextScore();
				}
				return members > 0;
			}
			case 5 -> {
				long members = count("sorted set", 9);
				for (long i = 0; i < members; i++) {
					skipString("sorted set member");
					long scoreAt = this.in.offset();
					if (Double.isNaN(Double.longBitsToDouble(this.in.le(8)))) {
						throw new InvalidRdbException(scoreAt, "sorted set score is not a number (NaN)");
					}
				}
				return members > 0;
			}
			case 4 -> {
				long pairs = count("hash", 2);
				for (long i = 0; i < pairs; i++) {
					skipString("hash field");
					skipString("hash value");
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
				long fields = count("hash", 3);
				for (long i = 0; i < fields; i++) {
					length();
					skipString("hash field");
					skipString("hash value");
				}
				return fields > 0;
			}
			case 6 -> throw new InvalidRdbException(at,
					"the dump holds a module value in the format of Redis 4.0 release candidates, which no Redis loads");
			case 7 -> {
				length();
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
				long nodes = count("quicklist", 1);
				long elements = 0;
				for (long i = 0; i < nodes; i++) {
					elements += encoded(10, "quicklist ziplist");
				}
				return elements > 0;
			}
			case 18 -> {
				long nodes = count("quicklist", 2);
				long elements = 0;
				for (long i = 0; i < nodes; i++) {
					long containerAt = this.in.offset();
					long container = length();
					if (container == 1) {
						skipString("quicklist plain element");
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
		long fields = count("hash", 10);
		for (long i = 0; i < fields; i++) {
			skipString("hash field");
			skipString("hash value");
			this.in.le(8);
		}
		return fields > 0;
	}

	/**
	 * Redis 8.6's key metadata ({@code rdbSaveKeyMetadata}), which comes before the key it belongs to: a count
	 * of metadata classes, then each class' 32-bit id and its value in the module-value encoding.
	 */
	private void readKeyMetadata() throws IOException {
		long classes = count("key metadata", 5);
		for (long i = 0; i < classes; i++) {
			long classAt = this.in.offset();
			this.in.le(4);
			moduleValue(classAt);
		}
	}

	/**
	 * Valkey 9's state of a slot import under way ({@code clusterRDBSaveSlotImports}): the job's name, a
	 * cluster node name of 40 bytes, then a count of slot ranges, each its first and last slot.
	 */
	private void readSlotImport(long at) throws IOException {
		int nameLength = readBlob("slot import job name", MAX_ENCODED_VALUE);
		if (nameLength != CLUSTER_NAME_LENGTH) {
			throw new InvalidRdbException(at, String.format("slot import job name is %,d bytes, not %d",
					nameLength, CLUSTER_NAME_LENGTH));
		}
		long ranges = count("slot import ranges", 2);
		for (long i = 0; i < ranges; i++) {
			long rangeAt = this.in.offset();
			long first = length();
			long last = length();
			if (first < 0 || last < first || last >= CLUSTER_SLOTS) {
				throw new InvalidRdbException(rangeAt, String.format("slot import range %s-%s is not one of slots 0 to %d",
						Long.toUnsignedString(first), Long.toUnsignedString(last), CLUSTER_SLOTS - 1));
			}
		}
	}

	private static void requireFormat(boolean present, long at, String what) throws InvalidRdbException {
		if (!present) {
			throw new InvalidRdbException(at, what + " is not part of this RDB version");
		}
	}

	/** Reads a compact encoding into {@link #blob} and validates it. @return its number of elements */
	private long encoded(int type, String kind) throws IOException {
		long at = this.in.offset();
		int size = readBlob(kind, MAX_ENCODED_VALUE);
		try {
			return switch (type) {
				case 9 -> RdbEncodings.zipmap(this.blob, size);
				case 10 -> RdbEncodings.ziplist(this.blob, size, false);
				case 11 -> RdbEncodings.intset(this.blob, size);
				case 12, 13 -> RdbEncodings.ziplist(this.blob, size, true) / 2;
				case 16, 17 -> RdbEncodings.listpackTuples(this.blob, size, 2, true);
				case 18 -> RdbEncodings.listpackTuples(this.blob, size, 1, false);
				case 20 -> RdbEncodings.listpackTuples(this.blob, size, 1, true);
				case 23, 25 -> RdbEncodings.listpackTuples(this.blob, size, 3, true);
				default -> throw new IllegalArgumentException("not a compact encoding: " + type);
			};
		}
		catch (RdbEncodings.Malformed ex) {
			throw new InvalidRdbException(at, String.format("%s of %,d bytes is malformed: %s", kind, size, ex.getMessage()));
		}
	}

	private boolean readStream(int type) throws IOException {
		long nodes = count("stream", 2);
		byte[] previousNode = null;
		for (long i = 0; i < nodes; i++) {
			long keyAt = this.in.offset();
			int keyLength = readBlob("stream node ID", MAX_ENCODED_VALUE);
			if (keyLength != STREAM_ID_SIZE) {
				throw new InvalidRdbException(keyAt, "stream node ID is " + keyLength + " bytes, not " + STREAM_ID_SIZE);
			}
			byte[] node = Arrays.copyOf(this.blob, STREAM_ID_SIZE);
			if (previousNode != null && Arrays.compareUnsigned(previousNode, node) >= 0) {
				throw new InvalidRdbException(keyAt, "stream node IDs are not in ascending order");
			}
			previousNode = node;
			long lpAt = this.in.offset();
			int size = readBlob("stream listpack", MAX_ENCODED_VALUE);
			try {
				RdbEncodings.streamListpack(this.blob, size);
			}
			catch (RdbEncodings.Malformed ex) {
				throw new InvalidRdbException(lpAt,
						String.format("stream listpack of %,d bytes is malformed: %s", size, ex.getMessage()));
			}
		}
		long lengthAt = this.in.offset();
		long entries = length();
		length();
		length();
		if (type >= 19) {
			for (int i = 0; i < 5; i++) {
				length();
			}
		}
		if (entries > 0 && nodes == 0) {
			throw new InvalidRdbException(lengthAt, String.format("stream of %,d entries has no node to hold them", entries));
		}
		long groups = count("stream's consumer groups", 3);
		for (long g = 0; g < groups; g++) {
			skipString("consumer group name");
			length();
			length();
			if (type >= 19) {
				length();
			}
			long pending = count("consumer group's pending entries", STREAM_ID_SIZE + 9);
			readPendingIds(pending, true);
			long consumers = count("consumer group's consumers", (type >= 21) ? 18 : 10);
			for (long c = 0; c < consumers; c++) {
				skipString("consumer name");
				this.in.le(8);
				if (type >= 21) {
					this.in.le(8);
				}
				long owned = count("consumer's pending entries", STREAM_ID_SIZE);
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
				length();
			}
		}
	}

	/** A module's value, framed by the opcodes {@code RedisModule_Save*} writes, up to its end opcode. */
	private void moduleValue(long at) throws IOException {
		while (true) {
			long opcodeAt = this.in.offset();
			long opcode = length();
			switch ((int) Math.min(opcode, 6)) {
				case 0 -> {
					return;
				}
				case 1, 2 -> length();
				case 3 -> this.in.le(4);
				case 4 -> this.in.le(8);
				case 5 -> skipString("module string");
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

	// ------------------------------------------------------------- lengths and strings

	private long length() throws IOException {
		long at = this.in.offset();
		int b = this.in.u8();
		switch (b >>> 6) {
			case 0:
				return b & 0x3f;
			case 1:
				return ((b & 0x3f) << 8) | this.in.u8();
			case 2:
				if (b == 0x80) {
					return this.in.be32();
				}
				if (b == 0x81) {
					// unsigned: stream IDs use the whole range; counts are checked by count()
					return this.in.be64();
				}
				throw new InvalidRdbException(at, String.format("unknown length encoding 0x%02x", b));
			default:
				throw new InvalidRdbException(at, String.format("a length was expected, found the string encoding 0x%02x", b));
		}
	}

	/** A length that counts items of at least {@code minBytes} each, checked against what is left. */
	private long count(String what, int minBytes) throws IOException {
		long at = this.in.offset();
		long n = length();
		long left = this.in.remaining();
		if (n < 0 || n > left / minBytes) {
			throw new InvalidRdbException(at, String.format("%s of length %,d exceeds the %,d bytes left", what,
					new java.math.BigInteger(Long.toUnsignedString(n)), left));
		}
		return n;
	}

	/** Validates a string and moves past it without keeping it. */
	private void skipString(String what) throws IOException {
		long at = this.in.offset();
		int b = this.in.u8();
		long length;
		switch (b >>> 6) {
			case 0 -> length = b & 0x3f;
			case 1 -> length = ((b & 0x3f) << 8) | this.in.u8();
			case 2 -> length = stringLength32or64(b, at);
			default -> {
				switch (b & 0x3f) {
					case 0 -> this.in.skip(1);
					case 1 -> this.in.skip(2);
					case 2 -> this.in.skip(4);
					case 3 -> checkLzf(what, at);
					default -> throw new InvalidRdbException(at, String.format("%s has the unknown string encoding 0x%02x", what, b));
				}
				return;
			}
		}
		long left = this.in.remaining();
		if (length > left) {
			throw new InvalidRdbException(at, String.format("%s of length %,d exceeds the %,d bytes left", what, length, left));
		}
		this.in.skip(length);
	}

	private long stringLength32or64(int b, long at) throws IOException {
		if (b == 0x80) {
			return this.in.be32();
		}
		if (b == 0x81) {
			long value = this.in.be64();
			return (value < 0) ? Long.MAX_VALUE : value;
		}
		throw new InvalidRdbException(at, String.format("unknown length encoding 0x%02x", b));
	}

	/**
	 * Checks an LZF string as it streams: control bytes, literal runs, and back-references that must
	 * point into what was already produced; the total must be the declared length.
	 */
	private void checkLzf(String what, long at) throws IOException {
		long[] lengths = lzfLengths(what, at);
		long compressedLeft = lengths[0];
		long plainLength = lengths[1];
		long produced = 0;
		RdbReader r = this.in;
		if (r.limit() - r.position() >= compressedLeft) {
			// already buffered whole (most strings): walked in place, without a reader call per byte
			produced = RdbEncodings.lzfExpandedLength(r.buffer(), r.position(), (int) compressedLeft, plainLength);
			if (produced < 0) {
				throw lzfFault(what, at, -1 - produced, plainLength);
			}
			r.advance((int) compressedLeft);
			compressedLeft = 0;
		}
		while (compressedLeft > 0) {
			int ctrl = r.u8();
			compressedLeft--;
			if (ctrl < 32) {
				int run = ctrl + 1;
				if (run > compressedLeft || produced + run > plainLength) {
					throw lzfFault(what, at, produced, plainLength);
				}
				r.skip(run);
				compressedLeft -= run;
				produced += run;
			}
			else {
				int length = ctrl >>> 5;
				if (length == 7) {
					if (compressedLeft < 2) {
						throw lzfFault(what, at, produced, plainLength);
					}
					length += r.u8();
					compressedLeft--;
				}
				else if (compressedLeft < 1) {
					throw lzfFault(what, at, produced, plainLength);
				}
				int distance = ((ctrl & 0x1f) << 8) + r.u8() + 1;
				compressedLeft--;
				length += 2;
				if (distance > produced || produced + length > plainLength) {
					throw lzfFault(what, at, produced, plainLength);
				}
				produced += length;
			}
		}
		if (produced != plainLength) {
			throw new InvalidRdbException(at, String.format("%s: LZF data expands to %,d bytes, not the %,d declared", what,
					produced, plainLength));
		}
	}

	/** {compressed length, plain length}, both checked. */
	private long[] lzfLengths(String what, long at) throws IOException {
		long compressedLength = length();
		long plainLength = length();
		long left = this.in.remaining();
		if (compressedLength > left) {
			throw new InvalidRdbException(at, String.format("%s: LZF data of length %,d exceeds the %,d bytes left", what,
					compressedLength, left));
		}
		if (compressedLength == 0 || plainLength / LZF_MAX_EXPANSION > compressedLength) {
			throw new InvalidRdbException(at, String.format("%s: %,d bytes of LZF data cannot expand to the %,d declared",
					what, compressedLength, plainLength));
		}
		return new long[] { compressedLength, plainLength };
	}

	private InvalidRdbException lzfFault(String what, long at, long produced, long plainLength) {
		return new InvalidRdbException(at, String.format(
				"%s: LZF data is corrupt after %,d of its %,d bytes (a run or back-reference out of bounds)", what,
				produced, plainLength));
	}

	/** Reads a string whole into {@link #blob}, decompressing LZF. @return its length */
	private int readBlob(String what, int limit) throws IOException {
		long at = this.in.offset();
		int b = this.in.u8();
		long length;
		switch (b >>> 6) {
			case 0 -> length = b & 0x3f;
			case 1 -> length = ((b & 0x3f) << 8) | this.in.u8();
			case 2 -> length = stringLength32or64(b, at);
			default -> {
				switch (b & 0x3f) {
					case 0 -> {
						return decimal((byte) this.in.u8());
					}
					case 1 -> {
						return decimal((short) this.in.le(2));
					}
					case 2 -> {
						return decimal((int) this.in.le(4));
					}
					case 3 -> {
						return readLzfBlob(what, at, limit);
					}
					default -> throw new InvalidRdbException(at, String.format("%s has the unknown string encoding 0x%02x", what, b));
				}
			}
		}
		long left = this.in.remaining();
		if (length > left) {
			throw new InvalidRdbException(at, String.format("%s of length %,d exceeds the %,d bytes left", what, length, left));
		}
		checkLimit(what, at, length, limit);
		readGrowing(length);
		return (int) length;
	}

	private int readLzfBlob(String what, long at, int limit) throws IOException {
		long[] lengths = lzfLengths(what, at);
		checkLimit(what, at, lengths[1], limit);
		checkLimit(what, at, lengths[0], limit);
		int compressedLength = (int) lengths[0];
		int plainLength = (int) lengths[1];
		RdbReader r = this.in;
		if (r.limit() - r.position() >= compressedLength) {
			// already buffered whole (most values): expanded from the reader's buffer, without a copy first
			if (this.blob.length < plainLength) {
				this.blob = new byte[Math.max(plainLength, Math.min(limit, this.blob.length * 2))];
			}
			try {
				RdbEncodings.lzfDecompress(r.buffer(), r.position(), compressedLength, this.blob, plainLength);
			}
			catch (RdbEncodings.Malformed ex) {
				throw new InvalidRdbException(at, what + ": " + ex.getMessage());
			}
			r.advance(compressedLength);
			return plainLength;
		}
		// read into blob first (growing as bytes arrive), then swap it with the compressed buffer
		readGrowing(compressedLength);
		byte[] input = this.blob;
		this.blob = this.compressed;
		this.compressed = input;
		if (this.blob.length < plainLength) {
			this.blob = new byte[Math.max(plainLength, Math.min(limit, this.blob.length * 2))];
		}
		try {
			RdbEncodings.lzfDecompress(this.compressed, compressedLength, this.blob, plainLength);
		}
		catch (RdbEncodings.Malformed ex) {
			throw new InvalidRdbException(at, what + ": " + ex.getMessage());
		}
		return plainLength;
	}

	private void checkLimit(String what, long at, long length, int limit) throws InvalidRdbException {
		if (length > limit) {
			throw new InvalidRdbException(at, String.format("%s of %,d bytes is larger than the %,d bytes this check holds",
					what, length, limit));
		}
	}

	/** Reads {@code length} bytes into {@link #blob}, growing it only as the bytes actually arrive. */
	private void readGrowing(long length) throws IOException {
		int total = (int) length;
		int done = 0;
		while (done < total) {
			int step = Math.min(total - done, 1 << 20);
			if (this.blob.length < done + step) {
				this.blob = Arrays.copyOf(this.blob, Math.max(done + step, Math.min(total, this.blob.length * 2)));
			}
			this.in.readFully(this.blob, done, step);
			done += step;
		}
	}

	private int decimal(long value) {
		byte[] digits = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
		if (this.blob.length < digits.length) {
			this.blob = new byte[4096];
		}
		System.arraycopy(digits, 0, this.blob, 0, digits.length);
		return digits.length;
	}

}
