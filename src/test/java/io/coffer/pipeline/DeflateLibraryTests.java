package io.coffer.pipeline;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each deflate library installed here (ISA-L, libdeflate, java.util.zip — all three must load),
 * through Coffer's gzip writer and reader: round trips at every level, standard output, and
 * corrupt members refused.
 */
class DeflateLibraryTests {

	private static final int BLOCK = 256 * 1024;

	static List<DeflateLibrary> libraries() {
		return List.of(new IsalLibrary(IsalLibrary.SONAME), new LibdeflateLibrary(LibdeflateLibrary.SONAME),
				ZlibLibrary.INSTANCE);
	}

	static Stream<Arguments> librariesAndLevels() {
		return libraries().stream()
			.flatMap((library) -> IntStream.rangeClosed(0, 9)
				.mapToObj((level) -> Arguments.of(library, level)));
	}

	@ParameterizedTest(name = "{0} at gzip level {1}")
	@MethodSource("librariesAndLevels")
	void randomTextLikeAndMixedDataComeBackIdenticalThroughCofferAndTheJdk(DeflateLibrary library, int level)
			throws IOException {
		for (byte[] data : List.of(random(3 * BLOCK + 17), textLike(5 * BLOCK + 3), mixed(6 * BLOCK))) {
			byte[] gzip = compress(library, level, data);

			assertThat(new GzipMembersInputStream(new ByteArrayInputStream(gzip), library).readAllBytes())
				.isEqualTo(data);
			assertThat(new GZIPInputStream(new ByteArrayInputStream(gzip)).readAllBytes()).isEqualTo(data);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void higherLevelsCompressTextAtLeastAsWellAndLevelZeroStores(DeflateLibrary library) throws IOException {
		byte[] text = textLike(8 * BLOCK);

		int stored = compress(library, 0, text).length;
		int fast = compress(library, 1, text).length;
		int best = compress(library, 9, text).length;

		assertThat(stored).isGreaterThan(text.length);
		assertThat(fast).isLessThan(text.length / 2);
		assertThat(best).isLessThanOrEqualTo(fast);
	}

	@Test
	void gzipLevelsMapOntoIsalsFourAndAreTakenAsTheyAreByTheOthers() {
		DeflateLibrary isal = new IsalLibrary(IsalLibrary.SONAME);

		assertThat(IntStream.rangeClosed(1, 9).map(isal::nativeLevel).toArray())
			.containsExactly(1, 2, 2, 2, 3, 3, 3, 3, 3);
		assertThat(new LibdeflateLibrary(LibdeflateLibrary.SONAME).nativeLevel(7)).isEqualTo(7);
		assertThat(ZlibLibrary.INSTANCE.nativeLevel(7)).isEqualTo(7);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void anEmptyInputComesBackEmpty(DeflateLibrary library) throws IOException {
		byte[] gzip = compress(library, 1, new byte[0]);

		assertThat(new GzipMembersInputStream(new ByteArrayInputStream(gzip), library).readAllBytes()).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void aFlippedByteInTheDeflateDataIsRefused(DeflateLibrary library) throws IOException {
		byte[] gzip = compress(library, 1, textLike(2 * BLOCK));
		// in the second member's deflate data
		int second = secondMemberOffset(gzip);
		gzip[second + GzipFormat.HEADER_LENGTH + 100] ^= 0x40;

		assertThatIOException().isThrownBy(() -> readAll(gzip, library))
			.withMessageContaining("gzip member 2 is corrupt");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void aWrongCrcIsRefused(DeflateLibrary library) throws IOException {
		byte[] gzip = compress(library, 1, textLike(BLOCK));
		gzip[gzip.length - 8] ^= 1;

		assertThatIOException().isThrownBy(() -> readAll(gzip, library))
			.withMessageContaining("gzip member 1 is corrupt: its CRC-32 does not match");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void aWrongIsizeIsRefused(DeflateLibrary library) throws IOException {
		byte[] gzip = compress(library, 1, textLike(BLOCK));
		gzip[gzip.length - 4] ^= 1;

		assertThatIOException().isThrownBy(() -> readAll(gzip, library))
			.withMessageContaining("gzip member 1 is corrupt: it holds " + BLOCK + " bytes, its trailer says");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void headerSizesThatDoNotMatchTheDataAreRefused(DeflateLibrary library) throws IOException {
		byte[] gzip = compress(library, 1, textLike(BLOCK));
		byte[] longerPlain = gzip.clone();
		GzipFormat.writeIntLittleEndian(longerPlain, 20, BLOCK + 1);
		byte[] shorterPlain = gzip.clone();
		GzipFormat.writeIntLittleEndian(shorterPlain, 20, BLOCK - 1);
		byte[] shorterDeflate = gzip.clone();
		GzipFormat.writeIntLittleEndian(shorterDeflate, 16, GzipFormat.readIntLittleEndian(gzip, 16) - 1);

		for (byte[] corrupt : List.of(longerPlain, shorterPlain, shorterDeflate)) {
			assertThatIOException().isThrownBy(() -> readAll(corrupt, library)).withMessageContaining("gzip member 1");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void aTruncatedStreamIsRefusedWhereverItIsCut(DeflateLibrary library) throws IOException {
		byte[] gzip = compress(library, 1, mixed(3 * BLOCK));
		int second = secondMemberOffset(gzip);

		for (int cut : new int[] { 1, 5, GzipFormat.HEADER_LENGTH, second - 3, second + 11, gzip.length - 1 }) {
			byte[] truncated = Arrays.copyOf(gzip, cut);
			assertThatThrownBy(() -> readAll(truncated, library)).isInstanceOf(EOFException.class)
				.hasMessageContaining("truncated");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void anythingButGzipAfterAMemberIsRefused(DeflateLibrary library) throws IOException {
		byte[] gzip = compress(library, 1, textLike(BLOCK));
		byte[] followed = Arrays.copyOf(gzip, gzip.length + 3);

		assertThatIOException().isThrownBy(() -> readAll(followed, library))
			.withMessage("the data after gzip member 1 is not gzip");
		assertThatIOException().isThrownBy(() -> readAll("plain text".getBytes(StandardCharsets.US_ASCII), library))
			.withMessage("not in gzip format");
		assertThatIOException().isThrownBy(() -> readAll(new byte[0], library)).withMessage("the gzip stream is empty");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void gzipFromOtherToolsStreamsThroughJavaUtilZipAndIsCheckedToo(DeflateLibrary library) throws IOException {
		// what an import brings: members without Coffer's sizes, one of them with a file name
		byte[] first = textLike(3 * BLOCK);
		byte[] second = random(BLOCK);
		ByteArrayOutputStream foreign = new ByteArrayOutputStream();
		byte[] firstMember = jdkGzip(first);
		foreign.write(firstMember);
		foreign.write(namedMember(second));

		assertThat(readAll(foreign.toByteArray(), library)).isEqualTo(concat(first, second));

		byte[] corrupt = foreign.toByteArray();
		corrupt[corrupt.length - 6] ^= 1;
		assertThatIOException().isThrownBy(() -> readAll(corrupt, library))
			.withMessageContaining("gzip member 2 is corrupt: its CRC-32 does not match");
		byte[] truncated = Arrays.copyOf(foreign.toByteArray(), firstMember.length / 2);
		assertThatThrownBy(() -> readAll(truncated, library)).isInstanceOf(EOFException.class)
			.hasMessageContaining("truncated in member 1");
	}

	@Test
	void readsInSmallPiecesAsInOne() throws IOException {
		DeflateLibrary library = DeflateLibraries.active();
		byte[] data = mixed(2 * BLOCK + 5);
		byte[] gzip = compress(library, 6, data);
		ByteArrayOutputStream back = new ByteArrayOutputStream();
		try (InputStream in = new GzipMembersInputStream(new ByteArrayInputStream(gzip), library)) {
			byte[] piece = new byte[777];
			int n;
			while ((n = in.read(piece)) >= 0) {
				back.write(piece, 0, n);
			}
			assertThat(in.read()).isEqualTo(-1);
		}

		assertThat(back.toByteArray()).isEqualTo(data);
	}

	static byte[] compress(DeflateLibrary library, int level, byte[] data) throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(sink, library, level, 2, BLOCK)) {
			gzip.write(data);
		}
		return sink.toByteArray();
	}

	private static byte[] readAll(byte[] gzip, DeflateLibrary library) throws IOException {
		try (InputStream in = new GzipMembersInputStream(new ByteArrayInputStream(gzip), library)) {
			return in.readAllBytes();
		}
	}

	/** Where the second member starts, from the first member's recorded deflate size. */
	private static int secondMemberOffset(byte[] gzip) {
		return GzipFormat.HEADER_LENGTH + GzipFormat.readIntLittleEndian(gzip, 16) + GzipFormat.TRAILER_LENGTH;
	}

	private static byte[] jdkGzip(byte[] data) throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(sink)) {
			gzip.write(data);
		}
		return sink.toByteArray();
	}

	/** A member with FNAME set, as {@code gzip file} writes it. */
	private static byte[] namedMember(byte[] data) throws IOException {
		byte[] plain = jdkGzip(data);
		ByteArrayOutputStream named = new ByteArrayOutputStream();
		named.write(plain, 0, 3);
		named.write(plain[3] | GzipFormat.FNAME);
		named.write(plain, 4, 6);
		named.write("dump.rdb\0".getBytes(StandardCharsets.US_ASCII));
		named.write(plain, 10, plain.length - 10);
		return named.toByteArray();
	}

	static byte[] random(int length) {
		byte[] data = new byte[length];
		new Random(length).nextBytes(data);
		return data;
	}

	/** Keys and values of the kind a cache holds: repetitive words and numbers. */
	static byte[] textLike(int length) {
		Random random = new Random(length);
		StringBuilder text = new StringBuilder(length + 64);
		while (text.length() < length) {
			text.append("user:").append(random.nextInt(100_000)).append(" {\"name\":\"")
				.append(List.of("ada", "grace", "linus", "barbara").get(random.nextInt(4)))
				.append("\",\"visits\":").append(random.nextInt(1000)).append("}\n");
		}
		return Arrays.copyOf(text.toString().getBytes(StandardCharsets.US_ASCII), length);
	}

	/** Text, random bytes and zeros in pieces smaller than a block, so that members mix them. */
	static byte[] mixed(int length) {
		byte[] data = new byte[length];
		Random random = new Random(length);
		int position = 0;
		int kind = 0;
		while (position < length) {
			int piece = Math.min(length - position, 40_000 + random.nextInt(100_000));
			byte[] bytes = switch (kind++ % 3) {
				case 0 -> textLike(piece);
				case 1 -> random(piece);
				default -> new byte[piece];
			};
			System.arraycopy(bytes, 0, data, position, piece);
			position += piece;
		}
		return data;
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

}
