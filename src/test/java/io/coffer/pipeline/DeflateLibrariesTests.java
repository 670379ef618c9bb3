package io.coffer.pipeline;

import java.util.List;

import io.coffer.pipeline.DeflateLibraries.Candidate;
import io.coffer.pipeline.DeflateLibraries.Selection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Which library runs: the best that loads and passes its round trip, and the fallbacks, logged. */
@ExtendWith(OutputCaptureExtension.class)
class DeflateLibrariesTests {

	private static final Candidate MISSING_ISAL = new Candidate("isal", () -> new IsalLibrary("libisal.so.99"));

	private static final Candidate MISSING_LIBDEFLATE = new Candidate("libdeflate",
			() -> new LibdeflateLibrary("libdeflate.so.99"));

	private static final Candidate ZLIB = new Candidate("zlib", () -> ZlibLibrary.INSTANCE);

	@Test
	void isalRunsWhereItIsInstalledWithItsVersionInTheLog() {
		Selection selection = DeflateLibraries.select("auto", DeflateLibraries.installedCandidates());

		assertThat(selection.library().id()).isEqualTo("isal");
		// Debian bookworm's libisal2 says "ISA-L 2.30 (libisal.so.2)"
		assertThat(selection.library().description()).matches("ISA-L \\d+\\.\\d+ \\(libisal\\.so\\.2\\)");
		assertThat(selection.rejected()).isEmpty();
	}

	@Test
	void aPreferenceStartsTheSearchThere() {
		assertThat(DeflateLibraries.select("libdeflate", DeflateLibraries.installedCandidates()).library().description())
			.isEqualTo("libdeflate (libdeflate.so.0)");
		assertThat(DeflateLibraries.select("zlib", DeflateLibraries.installedCandidates()).library())
			.isSameAs(ZlibLibrary.INSTANCE);
	}

	@Test
	void aMissingIsalFallsBackToLibdeflateThenToJavaUtilZip() {
		List<Candidate> withoutIsal = List.of(MISSING_ISAL, DeflateLibraries.installedCandidates().get(1), ZLIB);
		Selection libdeflate = DeflateLibraries.select("isal", withoutIsal);

		assertThat(libdeflate.library().id()).isEqualTo("libdeflate");
		assertThat(libdeflate.rejected()).singleElement()
			.asString()
			.startsWith("isal is not used: ")
			.contains("libisal.so.99");

		Selection zlib = DeflateLibraries.select("auto", List.of(MISSING_ISAL, MISSING_LIBDEFLATE, ZLIB));
		assertThat(zlib.library()).isSameAs(ZlibLibrary.INSTANCE);
		assertThat(zlib.rejected()).hasSize(2);
	}

	@Test
	void aForcedLibraryThatIsMissingIsLoggedAndTheNextOneRuns(CapturedOutput output) {
		try {
			DeflateLibrary chosen = DeflateLibraries.use("isal",
					List.of(MISSING_ISAL, DeflateLibraries.installedCandidates().get(1), ZLIB));

			assertThat(chosen.id()).isEqualTo("libdeflate");
			assertThat(DeflateLibraries.active()).isSameAs(chosen);
			assertThat(output.getOut()).containsPattern("WARN .*gzip: isal is not used: .*libisal\\.so\\.99")
				.contains("gzip: libdeflate (libdeflate.so.0)");
		}
		finally {
			DeflateLibraries.use("auto", DeflateLibraries.installedCandidates());
		}
	}

	@Test
	void aLibraryThatLoadsButFailsItsRoundTripIsNotUsed() {
		DeflateLibrary broken = new DeflateLibrary() {

			@Override
			public String id() {
				return "isal";
			}

			@Override
			public String description() {
				return "a library that writes zeros";
			}

			@Override
			public int nativeLevel(int gzipLevel) {
				return gzipLevel;
			}

			@Override
			public BlockDeflater newDeflater(int gzipLevel) {
				BlockDeflater real = ZlibLibrary.INSTANCE.newDeflater(gzipLevel);
				return new BlockDeflater() {

					@Override
					public int maxDeflatedSize(int length) {
						return real.maxDeflatedSize(length);
					}

					@Override
					public int deflate(byte[] in, int length, byte[] out, int offset) throws java.io.IOException {
						int n = real.deflate(in, length, out, offset);
						// a layout mistake: the output is cut short
						return Math.max(1, n / 2);
					}

					@Override
					public void close() {
						real.close();
					}

				};
			}

			@Override
			public BlockInflater newInflater() {
				return ZlibLibrary.INSTANCE.newInflater();
			}

		};

		Selection selection = DeflateLibraries.select("auto", List.of(new Candidate("isal", () -> broken), ZLIB));

		assertThat(selection.library()).isSameAs(ZlibLibrary.INSTANCE);
		assertThat(selection.rejected()).singleElement().asString().startsWith("isal is not used: ");
	}

	@Test
	void anUnknownPreferenceIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DeflateLibraries.select("brotli", DeflateLibraries.installedCandidates()))
			.withMessage("unknown compression library 'brotli', expected one of [auto, isal, libdeflate, zlib]");
	}

	@Test
	void theChoiceIsLoggedOnceAndKept(CapturedOutput output) {
		DeflateLibrary chosen = DeflateLibraries.use("libdeflate");
		DeflateLibrary again = DeflateLibraries.use("libdeflate");
		try {
			assertThat(again).isSameAs(chosen);
			assertThat(DeflateLibraries.active()).isSameAs(chosen);
			assertThat(output.getOut().split("gzip: libdeflate \\(libdeflate.so.0\\)", -1)).hasSize(2);
		}
		finally {
			DeflateLibraries.use("auto");
		}
	}

}
