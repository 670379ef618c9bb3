package io.coffer.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Intel ISA-L's igzip ({@code libisal2}) through JNA: the fastest deflate and inflate on x86-64,
 * with four levels of its own (0 to 3).
 * <p>
 * Its structures are large and end in internal state whose size depends on how the library was
 * built. Coffer touches only their leading fields, whose offsets {@code igzip_lib.h} has kept
 * since 2.x, and gives each structure a zeroed native block well above its size (about 82 KB for
 * {@code isal_zstream} and 87 KB for {@code inflate_state} in 2.30). The selection's self-test
 * ({@link DeflateLibraries}) checks the result against {@code java.util.zip} before it is used.
 */
final class IsalLibrary extends AbstractDeflateLibrary {

	static final String SONAME = "libisal.so.2";

	/** Room for {@code struct isal_zstream} or {@code struct inflate_state}, three times their size. */
	private static final int STATE_SIZE = 256 * 1024;

	// struct isal_zstream (x86-64 and aarch64 offsets)
	private static final int ZS_NEXT_IN = 0;

	private static final int ZS_AVAIL_IN = 8;

	private static final int ZS_TOTAL_IN = 12;

	private static final int ZS_NEXT_OUT = 16;

	private static final int ZS_AVAIL_OUT = 24;

	private static final int ZS_TOTAL_OUT = 28;

	private static final int ZS_LEVEL = 40;

	private static final int ZS_LEVEL_BUF_SIZE = 44;

	private static final int ZS_LEVEL_BUF = 48;

	private static final int ZS_END_OF_STREAM = 56;

	private static final int ZS_FLUSH = 58;

	private static final int ZS_GZIP_FLAG = 60;

	private static final int ZS_HIST_BITS = 62;

	// struct inflate_state
	private static final int IS_NEXT_OUT = 0;

	private static final int IS_AVAIL_OUT = 8;

	private static final int IS_TOTAL_OUT = 12;

	private static final int IS_NEXT_IN = 16;

	private static final int IS_AVAIL_IN = 32;

	private static final int COMP_OK = 0;

	private static final int ISAL_DECOMP_OK = 0;

	private static final int IGZIP_K = 1024;

	private static final int HASH_HIST_SIZE = 32 * IGZIP_K;

	/**
	 * {@code ISAL_DEF_LVLn_DEFAULT} (= {@code _LARGE}) of igzip_lib.h: the level buffer each level
	 * needs; level 0 needs none.
	 */
	private static final int[] LEVEL_BUFFER_SIZES = {
			0,
			4 * IGZIP_K + 2 * 8 * IGZIP_K + 4 * 64 * IGZIP_K,
			4 * IGZIP_K + 2 * HASH_HIST_SIZE + 4 * 64 * IGZIP_K,
			4 * IGZIP_K + 4 * 4 * IGZIP_K + 2 * HASH_HIST_SIZE + 4 * 64 * IGZIP_K };

	/** The part of igzip_lib.h Coffer calls. */
	interface Isal extends Library {

		void isal_deflate_stateless_init(Pointer stream);

		int isal_deflate_stateless(Pointer stream);

		void isal_inflate_init(Pointer state);

		int isal_inflate_stateless(Pointer state);

	}

	private final Isal isal;

	private final String description;

	/** @throws UnsatisfiedLinkError if the library cannot be loaded */
	IsalLibrary(String soname) {
		super("isal");
		if (Native.POINTER_SIZE != 8) {
			throw new UnsupportedOperationException("the offsets Coffer uses in ISA-L's structures are those of 64-bit"
					+ " platforms, not of this " + (Native.POINTER_SIZE * 8) + "-bit one");
		}
		this.isal = Native.load(soname, Isal.class);
		this.description = describe(soname);
	}

	/**
	 * "ISA-L 2.30 (libisal.so.2)": the version from the file the process mapped for the soname,
	 * {@code libisal.so.2.0.30}, as {@code /proc/self/maps} names it.
	 */
	private static String describe(String soname) {
		String version = "";
		try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
			Pattern file = Pattern.compile(".*/libisal\\.so\\.(\\d+)\\.\\d+\\.(\\d+)$");
			version = maps.map(file::matcher)
				.filter(Matcher::matches)
				.findFirst()
				.map((matcher) -> " " + matcher.group(1) + "." + matcher.group(2))
				.orElse("");
		}
		catch (IOException | UncheckedIOException ex) {
			// the version only decorates the log line
		}
		return "ISA-L" + version + " (" + soname + ")";
	}

	@Override
	public String description() {
		return this.description;
	}

	/**
	 * ISA-L's own levels over gzip's 1 to 9, by effort: 1 → 1, 2–4 → 2, 5–9 → 3. Its level 0, faster
	 * and weaker, is not used. Ratio and cost of each: docs/BENCHMARKS.md.
	 */
	@Override
	public int nativeLevel(int gzipLevel) {
		if (gzipLevel <= 1) {
			return 1;
		}
		if (gzipLevel <= 4) {
			return 2;
		}
		return 3;
	}

	@Override
	public BlockDeflater newDeflater(int gzipLevel) {
		int level = nativeLevel(gzipLevel);
		Memory stream = zeroed(STATE_SIZE);
		Memory levelBuffer = (LEVEL_BUFFER_SIZES[level] > 0) ? zeroed(LEVEL_BUFFER_SIZES[level]) : null;
		return new BlockDeflater() {

			private final NativeBuffers buffers = new NativeBuffers();

			@Override
			public int maxDeflatedSize(int length) {
				// isal_deflate_stateless writes stored blocks when compressing would not fit in this
				return ZlibLibrary.storedSize(length);
			}

			@Override
			public int deflate(byte[] in, int length, byte[] out, int offset) throws IOException {
				int room = maxDeflatedSize(length);
				Memory input = this.buffers.input(in, length);
				Memory output = this.buffers.output(room);
				IsalLibrary.this.isal.isal_deflate_stateless_init(stream);
				stream.setPointer(ZS_NEXT_IN, input);
				stream.setInt(ZS_AVAIL_IN, length);
				stream.setInt(ZS_TOTAL_IN, 0);
				stream.setPointer(ZS_NEXT_OUT, output);
				stream.setInt(ZS_AVAIL_OUT, room);
				stream.setInt(ZS_TOTAL_OUT, 0);
				stream.setInt(ZS_LEVEL, level);
				stream.setInt(ZS_LEVEL_BUF_SIZE, LEVEL_BUFFER_SIZES[level]);
				stream.setPointer(ZS_LEVEL_BUF, levelBuffer);
				stream.setShort(ZS_END_OF_STREAM, (short) 1);
				stream.setShort(ZS_FLUSH, (short) 0); // NO_FLUSH
				stream.setShort(ZS_GZIP_FLAG, (short) 0); // IGZIP_DEFLATE: raw, Coffer writes the gzip frame
				stream.setShort(ZS_HIST_BITS, (short) 0); // the default window, 32 KB
				int result = IsalLibrary.this.isal.isal_deflate_stateless(stream);
				int written = stream.getInt(ZS_TOTAL_OUT);
				if (result != COMP_OK || stream.getInt(ZS_AVAIL_IN) != 0 || written <= 0 || written > room
						|| written != room - stream.getInt(ZS_AVAIL_OUT)) {
					throw new IOException("ISA-L could not compress a block of " + length + " bytes (result " + result
							+ ")");
				}
				output.read(0, out, offset, written);
				return written;
			}

			@Override
			public void close() {
				stream.close();
				if (levelBuffer != null) {
					levelBuffer.close();
				}
				this.buffers.close();
			}

		};
	}

	@Override
	public BlockInflater newInflater() {
		Memory state = zeroed(STATE_SIZE);
		this.isal.isal_inflate_init(state);
		return new BlockInflater() {

			private final NativeBuffers buffers = new NativeBuffers();

			@Override
			public void inflate(byte[] in, int inLength, byte[] out, int outLength) throws DataFormatException {
				Memory input = this.buffers.input(in, inLength);
				// one byte more than expected, so that a member holding more data cannot fit
				Memory output = this.buffers.output(outLength + 1);
				state.setPointer(IS_NEXT_IN, input);
				state.setInt(IS_AVAIL_IN, inLength);
				state.setPointer(IS_NEXT_OUT, output);
				state.setInt(IS_AVAIL_OUT, outLength + 1);
				state.setInt(IS_TOTAL_OUT, 0);
				int result = IsalLibrary.this.isal.isal_inflate_stateless(state);
				if (result != ISAL_DECOMP_OK) {
					throw new DataFormatException("ISA-L found the deflate data corrupt (result " + result + ")");
				}
				int produced = state.getInt(IS_TOTAL_OUT);
				if (produced != outLength) {
					throw new DataFormatException("the deflate data holds " + produced + " bytes, not " + outLength);
				}
				// isal_inflate_stateless gives back the bytes it read ahead: what is left was not deflate
				int left = state.getInt(IS_AVAIL_IN);
				if (left != 0) {
					throw new DataFormatException(left + " bytes follow the deflate data");
				}
				output.read(0, out, 0, outLength);
			}

			@Override
			public void close() {
				state.close();
				this.buffers.close();
			}

		};
	}

	private static Memory zeroed(int size) {
		Memory memory = new Memory(size);
		memory.clear();
		return memory;
	}

}
