package io.coffer.pipeline;

import java.io.IOException;
import java.util.zip.DataFormatException;

/**
 * One implementation of raw deflate (RFC 1951): ISA-L, libdeflate or {@code java.util.zip}. Gzip's
 * header and trailer, and the CRC-32, are Coffer's own ({@link GzipFormat}), so that every library
 * writes the same standard members. {@link DeflateLibraries} picks the one that runs.
 * <p>
 * A deflater or inflater holds native memory and serves one thread at a time; close it when done.
 */
public interface DeflateLibrary {

	/** The short name a configuration uses: {@code isal}, {@code libdeflate} or {@code zlib}. */
	String id();

	/** What runs, for the log and the benchmark, e.g. {@code ISA-L 2.30 (libisal.so.2)}. */
	String description();

	/**
	 * @param gzipLevel a gzip level from 1 (fast) to 9 (small), mapped onto the library's own
	 */
	BlockDeflater newDeflater(int gzipLevel);

	BlockInflater newInflater();

	/** The library's own level that a gzip level maps onto, for the documentation and the benchmark. */
	int nativeLevel(int gzipLevel);

	/** Compresses whole blocks. */
	interface BlockDeflater extends AutoCloseable {

		/** Room {@link #deflate} may need for {@code length} bytes of input (stored blocks at worst). */
		int maxDeflatedSize(int length);

		/**
		 * Compresses {@code in[0, length)} into one final raw deflate stream written at
		 * {@code out[offset...]}, which has room for {@link #maxDeflatedSize}.
		 * @return the number of bytes written
		 */
		int deflate(byte[] in, int length, byte[] out, int offset) throws IOException;

		@Override
		void close();

	}

	/** Inflates whole members whose sizes are known. */
	interface BlockInflater extends AutoCloseable {

		/**
		 * Inflates {@code in[0, inLength)}, which must be exactly one final raw deflate stream of
		 * exactly {@code outLength} bytes, into {@code out[0, outLength)}.
		 * @throws DataFormatException if the data is not that: corrupt, shorter, longer, or followed
		 * by anything
		 */
		void inflate(byte[] in, int inLength, byte[] out, int outLength) throws DataFormatException;

		@Override
		void close();

	}

}
